/**
 * The shape of an option table (one per command) and what reads it: each option declares its
 * flag, environment names, default, parser and help once; the resolver, the environment map,
 * `--help` and docs/configuration.md are all generated from it.
 */
import { parseGoDuration } from '../core/duration.js';
import { ChimeError, SyntaxProblem } from '../core/errors.js';

/**
 * The registry's codes for what can be wrong with an option (core/error-codes.ts), one per kind
 * of problem; the message names the flag. A bad option stops `chime serve` / `chime worker`
 * with exit code 2.
 */
export type OptionErrorCode = 'INVALID_OPTION' | 'OPTION_OUT_OF_RANGE' | 'MISSING_OPTION';

/** A flag or environment value the command cannot use; the message starts with the flag's name. */
export class OptionError extends ChimeError {
  declare readonly code: OptionErrorCode;

  constructor(message: string, code: OptionErrorCode = 'INVALID_OPTION') {
    super(code, message);
    this.name = 'OptionError';
  }
}

/** Turns the text of a flag or variable into the option's value; `name` is the flag, for messages. */
export type Parser<T> = (text: string, name: string) => T;

/**
 * A default that is not a flag value: computed from the options resolved before it (table
 * order), or `null`. `shown` is how help and docs describe it (null: not shown in `--help`).
 */
export interface ComputedDefault<T> {
  shown: string | null;
  value: (resolved: Readonly<Record<string, unknown>>) => T;
}

export interface OptionSpec<T> {
  /** `--port <port>`; absent for an option set only by environment (DAPR_API_TOKEN). */
  flag?: string;
  /** A flag that sets the option to `value` (`--no-grpc` = `--grpc-port off`); `absent` says what is on without it. */
  negation?: { flag: string; value: string; help: string; absent: string };
  /** Environment variables in priority order: the first set (and not empty) wins. */
  env: readonly string[];
  /** Read after `env`: a variable whose value becomes the option's text (APP_PORT → an app URL). */
  envFallback?: { name: string; text: (value: string) => string; shown: string };
  /** The text a flag would carry (parsed like one, shown verbatim), or a computed default. */
  default: string | ComputedDefault<T>;
  parse: Parser<T>;
  /** One line for `--help`; the environment names and the default are appended. */
  help: string;
}

/** Declares one option; the value type comes from its parser (`orNull` when it may be absent). */
export function option<T>(spec: OptionSpec<T> & { default: string | ComputedDefault<NoInfer<T>> }): OptionSpec<T> {
  return spec;
}

export type OptionTable = Readonly<Record<string, OptionSpec<unknown>>>;

/** The options a table resolves to, keyed as in the table. */
export type OptionValues<Table extends OptionTable> = { -readonly [K in keyof Table]: Table[K] extends OptionSpec<infer T> ? T : never };

/** Flag values as the CLI parsed them (strings), keyed by option name. */
export type RawValues<Table extends OptionTable> = Partial<Record<keyof Table, string | undefined>>;

/** A default of null: the option is off or decided later; `shown` describes that. */
export function none(shown: string | null = null): ComputedDefault<null> {
  return { shown, value: () => null };
}

export function computed<T>(shown: string, value: (resolved: Readonly<Record<string, unknown>>) => T): ComputedDefault<T> {
  return { shown, value };
}

/** The name errors and docs use: the flag without dashes (`max-concurrent-jobs`). */
export function optionName(key: string, spec: OptionSpec<unknown>): string {
  if (spec.flag) return spec.flag.split(' ')[0]!.slice(2);
  if (spec.negation) return spec.negation.flag.slice('--no-'.length);
  return key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}

/** The attribute commander stores a flag under: `--max-retries <n>` → maxRetries, `--no-ui` → ui. */
export function flagAttribute(flag: string): string {
  return flag
    .split(' ')[0]!
    .replace(/^--(no-)?/, '')
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/** Flags win over environment variables, which win over defaults. */
export function resolveOptions<Table extends OptionTable>(table: Table, flags: RawValues<Table>, env: NodeJS.ProcessEnv): OptionValues<Table> {
  const resolved: Record<string, unknown> = {};
  for (const [key, spec] of Object.entries(table)) {
    const text = rawText(flags[key], spec, env);
    if (text !== undefined) resolved[key] = spec.parse(text, optionName(key, spec));
    else if (typeof spec.default === 'string') resolved[key] = spec.parse(spec.default, optionName(key, spec));
    else resolved[key] = spec.default.value(resolved);
  }
  return resolved as OptionValues<Table>;
}

function rawText(flag: string | undefined, spec: OptionSpec<unknown>, env: NodeJS.ProcessEnv): string | undefined {
  if (flag !== undefined) return flag;
  for (const name of spec.env) if (env[name] !== undefined && env[name] !== '') return env[name];
  const fallback = spec.envFallback && env[spec.envFallback.name];
  return fallback ? spec.envFallback!.text(fallback) : undefined;
}

/** Each option's environment variables, in priority order. */
export function environmentMap<Table extends OptionTable>(table: Table): Record<keyof Table, readonly string[]> {
  return Object.fromEntries(Object.entries(table).map(([key, spec]) => [key, spec.env])) as Record<keyof Table, readonly string[]>;
}

/** How a default reads in help and docs, or null when there is nothing to say. */
export function shownDefault(spec: OptionSpec<unknown>): string | null {
  return typeof spec.default === 'string' ? spec.default : spec.default.shown;
}

// Parsers. Each throws an OptionError whose message starts with the flag's name.

export const text: Parser<string> = (value) => value;

/** For options whose default is `none()`: the value type gains null. */
export function orNull<T>(parse: Parser<T>): Parser<T | null> {
  return parse;
}

export function integer(min: number, max: number): Parser<number> {
  return (value, name) => {
    if (!/^-?\d+$/.test(value.trim())) throw new OptionError(`${name}: "${value}" is not an integer`);
    const number = Number(value);
    if (number < min || number > max) throw new OptionError(`${name}: ${number} is out of range ${min}..${max}`, 'OPTION_OUT_OF_RANGE');
    return number;
  };
}

export const port: Parser<number> = integer(0, 65535);

/** A Go duration ("30s", "5m") or a bare number of milliseconds, in milliseconds. */
export function duration(minMs = 0): Parser<number> {
  return (value, name) => {
    let ms: number;
    if (/^\d+$/.test(value.trim())) ms = Number(value);
    else {
      try {
        ms = parseGoDuration(value.trim());
      } catch (error) {
        if (error instanceof SyntaxProblem) throw new OptionError(`${name}: ${error.message}`);
        throw error;
      }
    }
    if (ms < minMs) throw new OptionError(`${name}: must be at least ${minMs} ms`, 'OPTION_OUT_OF_RANGE');
    return Math.round(ms);
  };
}

export function oneOf<const T extends string>(allowed: readonly T[]): Parser<T> {
  return (value, name) => {
    if (!(allowed as readonly string[]).includes(value)) throw new OptionError(`${name}: "${value}" is not one of ${allowed.join(', ')}`);
    return value as T;
  };
}

/** A switch: true for the first of `on`, false for the others (`on, off, true, false`). */
export function onOff(allowed: readonly string[], on: readonly string[]): Parser<boolean> {
  const parse = oneOf(allowed);
  return (value, name) => on.includes(parse(value, name));
}

/** Comma-separated entries, blanks dropped. */
export const list: Parser<string[]> = (value) =>
  value
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);

/** Any absolute URL; `example` is added to the message. */
export function url(example?: string): Parser<string> {
  return (value, name) => {
    try {
      new URL(value);
    } catch {
      throw new OptionError(`${name}: "${value}" is not a URL${example ? ` (e.g. ${example})` : ''}`);
    }
    return value;
  };
}

export const httpUrl: Parser<string> = (value, name) => {
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new OptionError(`${name}: "${value}" is not an http(s) URL`);
  }
  return value;
};

/**
 * Chime's logger: pino (Fastify's own logger), JSON lines by default, pino-pretty when the log
 * stream is a terminal or `--log-format pretty`. One instance per process; Fastify's request
 * logger and the job loggers are its children, so every line carries the same base fields.
 */
import { pino, type DestinationStream, type Logger as PinoLogger } from 'pino';
import { createRequire } from 'node:module';
import type { prettyFactory as PrettyFactory } from 'pino-pretty';
import { ChimeError } from '../core/errors.js';

export type LogLevel = 'error' | 'warn' | 'info' | 'debug';
export type LogFormat = 'json' | 'pretty';

/** Extra fields of one line: `job_id`, `job_name`, `queue`, `attempt`, `node`, `req_id`, ... */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/**
 * The same line again within this long is counted, not written: while the store is down every
 * claim, lease extension and poll fails the same way, and one line says it.
 */
const REPEAT_WINDOW_MS = 10_000;

export interface Logger {
  log(level: LogLevel, message: string, error?: unknown, fields?: LogFields): void;
  /** A logger whose lines all carry `fields` (a job's id and name, a request id, ...). */
  child(fields: LogFields): Logger;
  /** The pino logger underneath: Fastify logs requests through it. */
  readonly pino: PinoLogger;
}

export interface LoggerOptions {
  /** @default 'pretty' when stderr is a terminal, else 'json' */
  format?: LogFormat;
  /** Where lines go (tests capture them). @default stderr */
  write?: (line: string) => void;
  /** @default Date.now */
  clock?: () => number;
}

/**
 * Field paths pino blanks out wherever a caller passes them. Free text (messages, error
 * messages) goes through `redactSecrets` instead.
 */
const REDACT_PATHS = [
  'token',
  'password',
  'secret',
  'jwtSecret',
  'authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.authorization',
];

/**
 * Blanks what looks like a secret in free text: the password of a URL (`redis://:pw@host`,
 * `postgres://user:pw@host`), bearer tokens, JWTs and `token=`/`password=` parameters. Store
 * drivers put their connection URL into some error messages.
 */
export function redactSecrets(text: string): string {
  return text
    // A password already masked as *** (redactStoreSpec) stays as it is.
    .replace(/(\b[a-z][a-z0-9+.-]*:\/\/[^\s:/@]*:)(?!\*\*\*@)[^\s@/]+@/gi, '$1[redacted]@')
    .replace(/\b(bearer\s+)[A-Za-z0-9._~+/=-]+/gi, '$1[redacted]')
    .replace(/\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g, '[redacted]')
    .replace(/\b((?:access_)?token|password|secret)=[^\s&]+/gi, '$1=[redacted]');
}

/**
 * Chime's own errors (a store that is unreachable, say) are expected conditions with a full
 * message; their stack says nothing more. Anything else is a bug and keeps its stack.
 */
function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof ChimeError) return { type: 'ChimeError', code: error.code, message: redactSecrets(error.message) };
  if (error instanceof Error) {
    return { type: error.name, message: redactSecrets(error.message), stack: error.stack ? redactSecrets(error.stack) : undefined };
  }
  return { type: typeof error, message: redactSecrets(String(error)) };
}

function destination(options: LoggerOptions, format: LogFormat): DestinationStream {
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  if (format === 'json') return { write };
  // Formatted in-process and written synchronously (no worker thread): the last lines before
  // a crash or an exit are kept. Loaded only here: pino-pretty takes ~80 ms to load, paid at
  // every start of a server that logs JSON (the default off a terminal) for nothing.
  const { prettyFactory } = createRequire(import.meta.url)('pino-pretty') as { prettyFactory: typeof PrettyFactory };
  const pretty = prettyFactory({
    colorize: options.write === undefined && process.stderr.isTTY === true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
  });
  return { write: (line: string) => write(pretty(line)) };
}

export function createLogger(level: LogLevel, options: LoggerOptions = {}): Logger {
  const format = options.format ?? (process.stderr.isTTY ? 'pretty' : 'json');
  const clock = options.clock ?? Date.now;
  const root = pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: () => `,"time":"${new Date(clock()).toISOString()}"`,
      // JSON lines say "warn", not 40; pino-pretty reads the numbers, so pretty keeps them.
      formatters: format === 'json' ? { level: (label) => ({ level: label }) } : {},
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      // errorFields already shaped (and redacted) it; pino's own serializer would add an empty stack.
      serializers: { err: (err: unknown) => err },
    },
    destination(options, format),
  );
  const recent = new Map<string, { at: number; repeats: number }>();

  const wrap = (target: PinoLogger): Logger => ({
    pino: target,
    child: (fields) => wrap(target.child(fields)),
    log(at, message, error, fields) {
      if (!target.isLevelEnabled(at)) return;
      const text = redactSecrets(message);
      const err = error === undefined ? undefined : errorFields(error);
      const key = `${at}\u0000${JSON.stringify(target.bindings())}\u0000${text}\u0000${err?.message ?? ''}`;
      const now = clock();
      const seen = recent.get(key);
      if (seen && now - seen.at < REPEAT_WINDOW_MS) {
        seen.repeats++;
        return;
      }
      if (recent.size >= 1000) recent.clear();
      recent.set(key, { at: now, repeats: 0 });
      const repeated = seen && seen.repeats > 0 ? { repeated: seen.repeats } : {};
      target[at]({ ...fields, ...repeated, ...(err ? { err } : {}) }, text);
    },
  });
  return wrap(root);
}

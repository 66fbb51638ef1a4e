/**
 * Commander flags generated from an option table (server/option-spec.ts): the help line of each
 * flag names its environment variables and default, as docs/configuration.md does.
 */
import type { Command } from 'commander';
import { flagAttribute, shownDefault, type OptionSpec, type OptionTable, type RawValues } from '../server/option-spec.js';

/** A second flag for an option (`chime worker --concurrency` = `--worker-concurrency`). */
export interface FlagAlias<Table extends OptionTable> {
  flag: string;
  key: keyof Table & string;
}

/** `HTTP port (env CHIME_PORT, DAPR_HTTP_PORT; default 3500)`. */
export function flagHelp(spec: OptionSpec<unknown>): string {
  const env = [...spec.env, ...(spec.envFallback ? [spec.envFallback.name] : [])];
  const shown = shownDefault(spec);
  return `${spec.help} (env ${env.join(', ')}${shown === null ? '' : `; default ${shown}`})`;
}

/** The negation's help; when it is the option's only flag it carries the env name and default. */
export function negationHelp(spec: OptionSpec<unknown>): string {
  const negation = spec.negation!;
  if (spec.flag) return negation.help;
  return `${negation.help} (env ${spec.env[0]}=${negation.value}; default ${negation.absent})`;
}

/** Flag, option key and help line of each flag of the table (those of `only`, when given), in table order. */
export function flagList<Table extends OptionTable>(
  table: Table,
  only?: readonly (keyof Table)[],
  aliases: readonly FlagAlias<Table>[] = [],
): [flag: string, key: keyof Table & string, help: string][] {
  const flags: [string, keyof Table & string, string][] = [];
  for (const [key, spec] of Object.entries(table)) {
    if (only && !only.includes(key)) continue;
    if (spec.flag) flags.push([spec.flag, key, flagHelp(spec)]);
    if (spec.negation) flags.push([spec.negation.flag, key, negationHelp(spec)]);
  }
  for (const { flag, key } of aliases) flags.push([flag, key, `${table[key]!.help} (same as ${table[key]!.flag!.split(' ')[0]})`]);
  return flags;
}

/** Adds the table's flags to a command (see flagList). */
export function addOptionFlags<Table extends OptionTable>(
  command: Command,
  table: Table,
  only?: readonly (keyof Table)[],
  aliases: readonly FlagAlias<Table>[] = [],
): Command {
  for (const [flag, , help] of flagList(table, only, aliases)) command.option(flag, help);
  return command;
}

/** The table's raw values from what commander parsed; a negation (`--no-grpc`) counts as its value. */
export function rawValuesFrom<Table extends OptionTable>(
  table: Table,
  parsed: Record<string, unknown>,
  aliases: readonly FlagAlias<Table>[] = [],
): RawValues<Table> {
  const raw: Record<string, string> = {};
  for (const alias of aliases) {
    const value = parsed[flagAttribute(alias.flag)];
    if (typeof value === 'string') raw[alias.key] = value;
  }
  for (const [key, spec] of Object.entries(table)) {
    const value = spec.flag ? parsed[flagAttribute(spec.flag)] : undefined;
    if (typeof value === 'string') raw[key] = value;
    // Commander keeps `--no-grpc` as grpc: false (and true when absent).
    if (spec.negation && parsed[flagAttribute(spec.negation.flag)] === false) raw[key] = spec.negation.value;
  }
  return raw as RawValues<Table>;
}

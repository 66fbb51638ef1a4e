/**
 * The options client commands share to reach a server and sign a token (`chime jobs`,
 * `schedules`, `queues`, `tasks`, `workers`, `token`), declared once: their flags, help and the
 * client section of docs/configuration.md come from this table, and credentials.ts reads the
 * environment names from it.
 */
import type { Command } from 'commander';
import * as parse from '../server/option-spec.js';
import { computed, none, option } from '../server/option-spec.js';
import { DEFAULT_STORE } from '../server/options.js';
import { flagHelp } from './option-flags.js';

export const CONNECTION_OPTIONS = {
  server: option({
    flag: '--server <url>',
    env: ['CHIME_URL'],
    default: computed('http://127.0.0.1:3500, the port from CHIME_PORT or DAPR_HTTP_PORT', localServerUrl),
    parse: parse.text,
    help: 'Chime server URL',
  }),
  token: option({
    flag: '--token <jwt>',
    env: ['CHIME_TOKEN'],
    default: none("signed locally with the server's secret"),
    parse: parse.orNull(parse.text),
    help: 'bearer token for /api/v1',
  }),
  dataDir: option({
    flag: '--data-dir <dir>',
    env: ['CHIME_DATA_DIR'],
    default: none('the folder of --store or CHIME_STORE, else ./.chime'),
    parse: parse.orNull(parse.text),
    help: "the server's data dir, to sign a token locally",
  }),
  store: option({
    flag: '--store <url>',
    env: ['CHIME_STORE'],
    default: DEFAULT_STORE,
    parse: parse.text,
    help: "the server's store, whose SQLite folder is the default data dir",
  }),
};

/** Where a `chime serve` started here with its port settings listens. */
function localServerUrl(): string {
  return `http://127.0.0.1:${process.env.CHIME_PORT || process.env.DAPR_HTTP_PORT || 3500}`;
}

export type ConnectionOption = keyof typeof CONNECTION_OPTIONS;

/** The first of the option's environment variables that is set, and its name. */
export function connectionEnv(key: ConnectionOption): { name: string; value: string } | null {
  for (const name of CONNECTION_OPTIONS[key].env) {
    const value = process.env[name];
    if (value) return { name, value };
  }
  return null;
}

/** `--server`, else CHIME_URL, else the local port a `chime serve` here would take. */
export function defaultServerUrl(): string {
  return connectionEnv('server')?.value ?? localServerUrl();
}

/**
 * Adds the connection flags `keys` to a command. `when` prefixes their help for commands that
 * need them only sometimes ("with --platform: "). `--server` is filled in before the action
 * runs when not given, so an action always sees a URL.
 */
export function addConnectionOptions(command: Command, keys: readonly ConnectionOption[], when = ''): Command {
  for (const key of keys) {
    const spec = CONNECTION_OPTIONS[key];
    command.option(spec.flag!, `${when}${flagHelp(spec)}`);
  }
  if (keys.includes('server')) {
    command.hook('preAction', (_, action) => {
      if (action.getOptionValue('server') === undefined) action.setOptionValue('server', defaultServerUrl());
    });
  }
  return command;
}

/**
 * Every option of `chime serve`, declared once in SERVE_OPTIONS (flag, environment names,
 * default, parser, help): the resolver, the environment map, `--help` and the options section
 * of docs/configuration.md are generated from it, and `ServerOptions` is derived from it.
 */
import { dirname } from 'node:path';
import { MISSED_FIRE_POLICIES } from '../core/types.js';
import type { CallbackStyleSetting } from '../runtime/delivery/delivery-request.js';
import { QUEUE_NAME } from '../core/tasks.js';
import { parseEventTypes, type PublishedEventType } from '../events/cloudevent.js';
import { sinkKind } from '../events/sink.js';
import { webhookKey } from '../runtime/delivery/webhook-signing.js';
import { sqliteOptions, storeKind } from '../store/open-store.js';
import * as parse from './option-spec.js';
import { computed, environmentMap, none, option, OptionError, resolveOptions, type OptionValues, type RawValues } from './option-spec.js';

export { OptionError, type OptionErrorCode } from './option-spec.js';

export const APP_PROTOCOLS = ['http', 'grpc'] as const;
export type AppProtocol = (typeof APP_PROTOCOLS)[number];

/** Accepted by `--callback-style`; `seed` is the old name of `envelope`. */
export const CALLBACK_STYLES = ['auto', 'envelope', 'dapr'] as const;

/** The default store; `chime token` and the client commands look for its data dir too. */
export const DEFAULT_STORE = 'sqlite:./.chime/chime.db';

/**
 * The options of `chime serve`, in `--help` order. An option computed from another comes after
 * it (`dataDir` reads `store`). Long explanations live in docs/configuration.md, generated from
 * this table plus the prose in `cli/configuration-doc.ts`.
 */
export const SERVE_OPTIONS = {
  port: option({ flag: '--port <port>', env: ['CHIME_PORT', 'DAPR_HTTP_PORT'], default: '3500', parse: parse.port, help: 'HTTP port' }),
  host: option({ flag: '--host <host>', env: ['CHIME_HOST'], default: '127.0.0.1', parse: parse.text, help: 'interface to listen on' }),
  grpcPort: option({
    flag: '--grpc-port <port>',
    negation: { flag: '--no-grpc', value: 'off', help: 'do not serve the gRPC API (same as --grpc-port off)', absent: 'gRPC on' },
    env: ['CHIME_GRPC_PORT', 'DAPR_GRPC_PORT'],
    default: '50001',
    parse: (text, name) => (text === 'off' ? null : parse.port(text, name)),
    help: 'gRPC API port (Dapr SDKs), off = none',
  }),
  appProtocol: option({
    flag: '--app-protocol <protocol>',
    env: ['CHIME_APP_PROTOCOL', 'APP_PROTOCOL'],
    default: 'http',
    parse: parse.oneOf(APP_PROTOCOLS),
    help: 'http or grpc: how callbacks reach the app',
  }),
  store: option({ flag: '--store <url>', env: ['CHIME_STORE'], default: DEFAULT_STORE, parse: parse.text, help: 'sqlite:./path.db, postgres://..., redis://...' }),
  appUrl: option({
    flag: '--app-url <url>',
    env: ['CHIME_APP_URL'],
    envFallback: { name: 'APP_PORT', text: (port) => `http://127.0.0.1:${port}`, shown: 'http://127.0.0.1:$APP_PORT' },
    default: 'http://127.0.0.1:8000',
    parse: parse.url('http://127.0.0.1:8000'),
    help: 'base URL of the app that receives callbacks',
  }),
  callbackStyle: option({
    flag: '--callback-style <style>',
    env: ['CHIME_CALLBACK_STYLE'],
    default: 'auto',
    parse: callbackStyle,
    help: 'auto, envelope (POST /api/jobs/trigger) or dapr (POST /job/{name})',
  }),
  maxConcurrentJobs: option({
    flag: '--max-concurrent-jobs <n>',
    env: ['MAX_CONCURRENT_JOBS', 'CHIME_MAX_CONCURRENT_JOBS'],
    default: '10',
    parse: parse.integer(1, 100_000),
    help: 'callbacks in flight at once',
  }),
  jobTimeoutMs: option({ flag: '--job-timeout <duration>', env: ['JOB_TIMEOUT', 'CHIME_JOB_TIMEOUT'], default: '5m', parse: parse.duration(), help: 'callback timeout, e.g. 30s' }),
  maxRetries: option({
    flag: '--max-retries <n>',
    env: ['CHIME_MAX_RETRIES'],
    default: '3',
    parse: parse.integer(-1, 1_000_000),
    help: 'default retries after a failed attempt, -1 = forever',
  }),
  retryIntervalMs: option({ flag: '--retry-interval <duration>', env: ['CHIME_RETRY_INTERVAL'], default: '1s', parse: parse.duration(), help: 'default wait between attempts' }),
  missedFirePolicy: option({
    flag: '--missed-fire-policy <policy>',
    env: ['CHIME_MISSED_FIRE_POLICY'],
    default: 'fire_once',
    parse: parse.oneOf(MISSED_FIRE_POLICIES),
    help: 'fire_once, all or skip for jobs that name none',
  }),
  missedFireThresholdMs: option({
    flag: '--missed-fire-threshold <duration>',
    env: ['CHIME_MISSED_FIRE_THRESHOLD'],
    default: '5s',
    parse: parse.duration(),
    help: 'an occurrence this late counts as missed',
  }),
  /**
   * Renewed every third of it. 15 s from the measured trade-off in docs/operations.md
   * ("Leases"): keeping leases costs the store under 2 ms a second per node even at 5 s, so the
   * bound is how long a node may stall (two thirds of the lease, 10 s) against how long a dead
   * peer's jobs wait (22.5 s at most).
   */
  leaseMs: option({ flag: '--lease <duration>', env: ['CHIME_LEASE'], default: '15s', parse: parse.duration(100), help: "claim lease; a dead node's jobs return after it" }),
  retentionMs: option({ flag: '--retention <duration>', env: ['CHIME_RETENTION'], default: '168h', parse: parse.duration(), help: 'keep finished jobs and history this long' }),
  bodyLimit: option({
    flag: '--body-limit <bytes>',
    env: ['CHIME_BODY_LIMIT'],
    default: '1048576',
    parse: parse.integer(1024, 1_073_741_824),
    help: 'largest request body',
  }),
  drainGraceMs: option({
    flag: '--drain-grace <duration>',
    env: ['CHIME_DRAIN_GRACE'],
    default: '10s',
    parse: parse.duration(),
    help: 'on shutdown, time running jobs get to finish',
  }),
  /** A restarted node takes back its own leases at once; null until node-identity.ts claims one. */
  nodeId: option({
    flag: '--node-id <id>',
    env: ['CHIME_NODE_ID'],
    default: none('kept in the data dir, stable across restarts'),
    parse: parse.orNull(parse.text),
    help: 'this node in leases',
  }),
  logLevel: option({
    flag: '--log-level <level>',
    env: ['CHIME_LOG_LEVEL'],
    default: 'info',
    parse: parse.oneOf(['error', 'warn', 'info', 'debug']),
    help: 'error, warn, info or debug',
  }),
  logFormat: option({
    flag: '--log-format <format>',
    env: ['CHIME_LOG_FORMAT'],
    default: computed('pretty on a terminal, else json', () => (process.stderr.isTTY ? 'pretty' : 'json')),
    parse: parse.oneOf(['json', 'pretty']),
    help: 'json or pretty',
  }),
  metrics: option({
    flag: '--metrics <on|off>',
    env: ['CHIME_METRICS'],
    default: 'on',
    parse: parse.onOff(['on', 'off', 'true', 'false'], ['on', 'true']),
    help: 'serve Prometheus metrics at /metrics',
  }),
  tasks: option({ flag: '--tasks <module>', env: ['CHIME_TASKS'], default: none(), parse: parse.orNull(parse.text), help: 'run the tasks this module exports in this process' }),
  workerConcurrency: option({
    flag: '--worker-concurrency <n>',
    env: ['CHIME_WORKER_CONCURRENCY'],
    default: '10',
    parse: parse.integer(1, 100_000),
    help: 'task jobs run at once by this process',
  }),
  /** null: the worker picks max(concurrency, 16), growing with quick handlers (runtime/worker.ts). */
  workerPrefetch: option({
    flag: '--prefetch <n>',
    env: ['CHIME_PREFETCH'],
    default: none('max(worker concurrency, 16), growing up to 8x with quick handlers'),
    parse: parse.orNull(parse.integer(0, 100_000)),
    help: 'task jobs claimed ahead of free slots (a number fixes it)',
  }),
  queues: option({
    flag: '--queues <names>',
    env: ['CHIME_QUEUES'],
    default: none("the tasks' queues"),
    parse: parse.orNull(queueList),
    help: 'comma-separated queues to take task jobs from',
  }),
  /** Next to the SQLite file, so `chime token --store x` finds the secret `chime serve --store x` made. */
  dataDir: option({
    flag: '--data-dir <dir>',
    env: ['CHIME_DATA_DIR'],
    default: computed("the SQLite file's folder or ./.chime", ({ store }) => defaultDataDir(store as string)),
    parse: parse.text,
    help: 'where the generated JWT secret and the node id live',
  }),
  jwtSecret: option({
    flag: '--jwt-secret <secret>',
    env: ['CHIME_JWT_SECRET'],
    default: none('generated into the data dir'),
    parse: parse.orNull(parse.text),
    help: 'HS256 secret for /api/v1 tokens',
  }),
  jwksUrl: option({
    flag: '--jwks-url <url>',
    env: ['CHIME_JWKS_URL'],
    default: none(),
    parse: parse.orNull(parse.url()),
    help: 'verify /api/v1 tokens against this JWKS instead',
  }),
  jwtIssuer: option({ flag: '--jwt-issuer <iss>', env: ['CHIME_JWT_ISSUER'], default: none(), parse: parse.orNull(parse.text), help: 'required iss claim' }),
  jwtAudience: option({ flag: '--jwt-audience <aud>', env: ['CHIME_JWT_AUDIENCE'], default: none(), parse: parse.orNull(parse.text), help: 'required aud claim' }),
  eventsUrl: option({
    flag: '--events-url <url>',
    env: ['CHIME_EVENTS_URL'],
    default: none(),
    parse: parse.orNull(brokerUrl),
    help: 'publish job events as CloudEvents to nats://, amqp://, redis:// or mqtt://',
  }),
  eventsTypes: option({
    flag: '--events-types <types>',
    env: ['CHIME_EVENTS_TYPES'],
    default: 'all',
    parse: eventTypes,
    help: 'event types to publish, e.g. fired,succeeded',
  }),
  allowTarget: option({
    flag: '--allow-target <entries>',
    env: ['CHIME_ALLOW_TARGET'],
    default: computed("only the app URL's origin", (): string[] => []),
    parse: parse.list,
    help: 'hosts, *.domains, IPs, CIDRs job targets may reach besides the app URL',
  }),
  /** null: half of maxConcurrentJobs, at least 1 (server/delivery-setup.ts). */
  targetConcurrency: option({
    flag: '--target-concurrency <n>',
    env: ['CHIME_TARGET_CONCURRENCY'],
    default: none('half of max-concurrent-jobs'),
    parse: parse.orNull(parse.integer(1, 100_000)),
    help: 'requests in flight to one target other than the app URL',
  }),
  webhookSecret: option({
    flag: '--webhook-secret <whsec>',
    env: ['CHIME_WEBHOOK_SECRET'],
    default: none('generated into the data dir'),
    parse: parse.orNull(webhookSecrets),
    help: 'signing secret(s), two comma-separated while rotating',
  }),
  webhookSigning: option({
    flag: '--webhook-signing <bool>',
    env: ['CHIME_WEBHOOK_SIGNING'],
    default: 'true',
    parse: parse.onOff(['true', 'false'], ['true']),
    help: 'sign callbacks with Standard Webhooks headers',
  }),
  failureHookUrl: option({
    flag: '--failure-hook-url <url>',
    env: ['CHIME_FAILURE_HOOK_URL'],
    default: none(),
    parse: parse.orNull(parse.httpUrl),
    help: 'called when any job fails for good',
  }),
  ui: option({
    negation: { flag: '--no-ui', value: 'false', help: 'do not serve the web dashboard at /ui', absent: 'on' },
    env: ['CHIME_UI'],
    default: 'true',
    parse: parse.onOff(['true', 'false'], ['true']),
    help: 'serve the web dashboard at /ui and print its login link',
  }),
  daprApiToken: option({
    env: ['DAPR_API_TOKEN'],
    default: none(),
    parse: parse.orNull(parse.text),
    help: 'requests to the Dapr-style API must carry it as dapr-api-token',
  }),
  appApiToken: option({ env: ['APP_API_TOKEN'], default: none(), parse: parse.orNull(parse.text), help: 'sent as dapr-api-token on every callback' }),
};

/** The options `chime serve` passes down, one field per SERVE_OPTIONS entry (see it for each default). */
export type ServerOptions = OptionValues<typeof SERVE_OPTIONS>;

/** Options of a running node: its id claimed (server/node-identity.ts). */
export type NodeOptions = ServerOptions & { nodeId: string };

/** Flag values as the CLI parsed them (strings), keyed by option name. */
export type RawOptions = RawValues<typeof SERVE_OPTIONS>;

/** Each option's environment variables, first set wins. */
export const SERVE_ENV = environmentMap(SERVE_OPTIONS);

/** Flags win over environment variables, which win over defaults. */
export function resolveServerOptions(flags: RawOptions, env: NodeJS.ProcessEnv = process.env): ServerOptions {
  return resolveOptions(SERVE_OPTIONS, flags, env);
}

/** `seed` is the old name of `envelope` and still accepted. */
function callbackStyle(text: string, name: string): CallbackStyleSetting {
  return text === 'seed' ? 'envelope' : parse.oneOf(CALLBACK_STYLES)(text, name);
}

function brokerUrl(text: string): string {
  try {
    new URL(text);
    sinkKind(text);
  } catch (error) {
    throw new OptionError(`events-url: "${text}" is not a broker URL: ${(error as Error).message}`);
  }
  return text;
}

function eventTypes(text: string): PublishedEventType[] {
  try {
    return parseEventTypes(text);
  } catch (error) {
    throw new OptionError(`events-types: ${(error as Error).message}`);
  }
}

function webhookSecrets(text: string): string[] {
  const secrets = parse.list(text, 'webhook-secret');
  if (secrets.length === 0 || secrets.length > 2) throw new OptionError('webhook-secret: give one secret, or two (comma-separated) while rotating');
  for (const secret of secrets) {
    try {
      webhookKey(secret);
    } catch (error) {
      throw new OptionError((error as Error).message.replace('webhook secret', 'webhook-secret'));
    }
  }
  return secrets;
}

/** Next to the SQLite file, so `chime token --store x` finds the secret `chime serve --store x` made. */
export function defaultDataDir(store: string): string {
  if (storeKind(store) !== 'sqlite') return './.chime';
  const { path } = sqliteOptions(store);
  return path === ':memory:' ? './.chime' : dirname(path);
}

function queueList(text: string): string[] {
  const names = parse.list(text, 'queues');
  for (const name of names) {
    if (!QUEUE_NAME.test(name)) throw new OptionError(`queues: "${name}" is not a queue name (letters, digits, _ . : -)`);
  }
  if (names.length === 0) throw new OptionError('queues: give at least one queue name');
  return names;
}

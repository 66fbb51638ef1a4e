/**
 * Every server option, declared once with its default, read from flags then environment,
 * validated at the boundary and compiled into one object passed down.
 */
import { dirname } from 'node:path';
import { parseGoDuration } from '../core/duration.js';
import { SyntaxProblem } from '../core/errors.js';
import { MISSED_FIRE_POLICIES, type MissedFirePolicy } from '../core/types.js';
import type { CallbackStyleSetting } from '../runtime/delivery/delivery-request.js';
import { QUEUE_NAME } from '../core/tasks.js';
import { parseEventTypes, PUBLISHED_EVENT_TYPES, type PublishedEventType } from '../events/cloudevent.js';
import { sinkKind } from '../events/sink.js';
import { webhookKey } from '../runtime/delivery/webhook-signing.js';
import { sqliteOptions, storeKind } from '../store/open-store.js';

export const APP_PROTOCOLS = ['http', 'grpc'] as const;
export type AppProtocol = (typeof APP_PROTOCOLS)[number];

export interface ServerOptions {
  /** HTTP port. Env CHIME_PORT or DAPR_HTTP_PORT (the port Dapr apps already call). @default 3500 */
  port: number;
  /** Interface to listen on. Env CHIME_HOST. @default '127.0.0.1' */
  host: string;
  /**
   * Port of the gRPC API (Dapr's `dapr.proto.runtime.v1.Dapr` jobs calls); null = no gRPC
   * (`--no-grpc` or `--grpc-port off`). Env DAPR_GRPC_PORT or CHIME_GRPC_PORT. @default 50001
   */
  grpcPort: number | null;
  /**
   * How callbacks reach the app: `http` (per callbackStyle) or `grpc` (AppCallback.OnJobEvent
   * on the app URL's host:port). Env APP_PROTOCOL or CHIME_APP_PROTOCOL. @default 'http'
   */
  appProtocol: AppProtocol;
  /** `sqlite:./path.db`, a plain path, `postgres://...` or `redis://...`. Env CHIME_STORE. @default 'sqlite:./.chime/chime.db' */
  store: string;
  /** The app's base URL for callbacks. Env CHIME_APP_URL, or APP_PORT for http://127.0.0.1:$APP_PORT. @default 'http://127.0.0.1:8000' */
  appUrl: string;
  /** `seed` (POST /api/jobs/trigger), `dapr` (POST /job/{name}) or `auto` (by the API that created the job). Env CHIME_CALLBACK_STYLE. @default 'auto' */
  callbackStyle: CallbackStyleSetting;
  /** Callbacks in flight at once. Env MAX_CONCURRENT_JOBS. @default 10 */
  maxConcurrentJobs: number;
  /** A callback that has not answered by then fails (and is retried per policy). Env JOB_TIMEOUT. @default 300000 (5m) */
  jobTimeoutMs: number;
  /** Default failure policy: retries after the first attempt (-1 = forever). Env CHIME_MAX_RETRIES. @default 3 */
  maxRetries: number;
  /** Default failure policy: wait between attempts. Env CHIME_RETRY_INTERVAL. @default 1000 (1s) */
  retryIntervalMs: number;
  /** Default missed-fire policy for jobs that name none. Env CHIME_MISSED_FIRE_POLICY. @default 'fire_once' */
  missedFirePolicy: MissedFirePolicy;
  /** An occurrence claimed this late counts as missed. Env CHIME_MISSED_FIRE_THRESHOLD. @default 5000 (5s) */
  missedFireThresholdMs: number;
  /**
   * Lease on a claimed job, renewed every third of it; a dead peer's jobs come back after it.
   * 15 s from the measured trade-off in docs/operations.md ("Leases"): keeping leases costs the
   * store under 2 ms a second per node even at 5 s, so the bound is how long a node may stall
   * (two thirds of the lease, 10 s) against how long a dead peer's jobs wait (22.5 s at most).
   * Env CHIME_LEASE. @default 15000 (15s)
   */
  leaseMs: number;
  /** Finished jobs and their history are kept this long. Env CHIME_RETENTION. @default 604800000 (7 days) */
  retentionMs: number;
  /** Largest request body, bytes. Env CHIME_BODY_LIMIT. @default 1048576 */
  bodyLimit: number;
  /** On SIGTERM, running jobs get this long to finish before they are handed back. Env CHIME_DRAIN_GRACE. @default 10000 */
  drainGraceMs: number;
  /**
   * This node's id in leases and `worker_id`; a restarted node takes back its own leases at
   * once. Env CHIME_NODE_ID. @default null: made once and kept in the data dir (`node-id`)
   */
  nodeId: string | null;
  /** `error`, `warn`, `info` or `debug`. Env CHIME_LOG_LEVEL. @default 'info' */
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  /** `json` (one JSON object a line) or `pretty` (for people). Env CHIME_LOG_FORMAT. @default 'pretty' when stderr is a terminal, else 'json' */
  logFormat: 'json' | 'pretty';
  /** Serve Prometheus metrics at GET /metrics (`on` or `off`). Env CHIME_METRICS. @default true */
  metrics: boolean;
  /** A module of task definitions to run in this process. Env CHIME_TASKS. @default null (no worker) */
  tasks: string | null;
  /** Task jobs run at once by this process's worker. Env CHIME_WORKER_CONCURRENCY. @default 10 */
  workerConcurrency: number;
  /**
   * Task jobs this process's worker claims ahead of free slots (status `reserved`), so quick
   * handlers find their next job already claimed. Env CHIME_PREFETCH. @default max(worker concurrency, 16)
   */
  workerPrefetch: number | null;
  /** Queues this process's worker takes jobs from. Env CHIME_QUEUES (comma-separated). @default the tasks' queues */
  queues: string[] | null;
  /** Where the generated JWT secret lives. Env CHIME_DATA_DIR. @default the SQLite file's folder, else './.chime' */
  dataDir: string;
  /** HS256 secret for /api/v1 tokens. Env CHIME_JWT_SECRET. @default generated once into the data dir */
  jwtSecret: string | null;
  /** Verify /api/v1 tokens against this JWKS instead of a secret. Env CHIME_JWKS_URL. @default null */
  jwksUrl: string | null;
  /** Required `iss` claim. Env CHIME_JWT_ISSUER. @default null (not checked) */
  jwtIssuer: string | null;
  /** Required `aud` claim. Env CHIME_JWT_AUDIENCE. @default null (not checked) */
  jwtAudience: string | null;
  /** Publish job events as CloudEvents to this broker: nats://, amqp://, redis:// or mqtt:// (docs/events.md). Env CHIME_EVENTS_URL. @default null (none) */
  eventsUrl: string | null;
  /** Event types published for jobs that choose none: comma-separated (`fired,succeeded`) or `all`. Env CHIME_EVENTS_TYPES. @default 'all' */
  eventsTypes: PublishedEventType[];
  /**
   * Where job targets and hook URLs may point besides the app URL: host names, `*.domain`,
   * IPs and CIDR ranges, comma-separated. Env CHIME_ALLOW_TARGET. @default [] (only the app URL's origin)
   */
  allowTarget: string[];
  /** Requests in flight to any one target other than the app URL. Env CHIME_TARGET_CONCURRENCY. @default half of max-concurrent-jobs, at least 1 */
  targetConcurrency: number | null;
  /**
   * Secrets callbacks are signed with (`whsec_...`), comma-separated: two while rotating. Env
   * CHIME_WEBHOOK_SECRET. @default generated once into the data dir (file `webhook-secret`)
   */
  webhookSecret: string[] | null;
  /** Sign callbacks (Standard Webhooks headers). Env CHIME_WEBHOOK_SIGNING. @default true */
  webhookSigning: boolean;
  /** Called when any job fails for good (server-wide failure hook). Env CHIME_FAILURE_HOOK_URL. @default null */
  failureHookUrl: string | null;
  /** Requests to the Dapr-style API must carry it as `dapr-api-token`. Env DAPR_API_TOKEN. @default null (not required) */
  daprApiToken: string | null;
  /** Sent as `dapr-api-token` on every callback. Env APP_API_TOKEN. @default null */
  appApiToken: string | null;
  /** Serve the web dashboard at /ui and print its login link. Flag `--no-ui`, env CHIME_UI=false. @default true */
  ui: boolean;
}

/** Options of a running node: its id claimed (server/node-identity.ts). */
export type NodeOptions = ServerOptions & { nodeId: string };

/** Flag values as the CLI parsed them (strings), keyed by option name. */
export type RawOptions = Partial<Record<keyof ServerOptions, string | undefined>>;

export class OptionError extends Error {}

const ENV: Record<keyof ServerOptions, string[]> = {
  port: ['CHIME_PORT', 'DAPR_HTTP_PORT'],
  host: ['CHIME_HOST'],
  grpcPort: ['CHIME_GRPC_PORT', 'DAPR_GRPC_PORT'],
  appProtocol: ['CHIME_APP_PROTOCOL', 'APP_PROTOCOL'],
  store: ['CHIME_STORE'],
  appUrl: ['CHIME_APP_URL'],
  callbackStyle: ['CHIME_CALLBACK_STYLE'],
  maxConcurrentJobs: ['MAX_CONCURRENT_JOBS', 'CHIME_MAX_CONCURRENT_JOBS'],
  jobTimeoutMs: ['JOB_TIMEOUT', 'CHIME_JOB_TIMEOUT'],
  maxRetries: ['CHIME_MAX_RETRIES'],
  retryIntervalMs: ['CHIME_RETRY_INTERVAL'],
  missedFirePolicy: ['CHIME_MISSED_FIRE_POLICY'],
  missedFireThresholdMs: ['CHIME_MISSED_FIRE_THRESHOLD'],
  leaseMs: ['CHIME_LEASE'],
  retentionMs: ['CHIME_RETENTION'],
  bodyLimit: ['CHIME_BODY_LIMIT'],
  drainGraceMs: ['CHIME_DRAIN_GRACE'],
  nodeId: ['CHIME_NODE_ID'],
  logLevel: ['CHIME_LOG_LEVEL'],
  logFormat: ['CHIME_LOG_FORMAT'],
  metrics: ['CHIME_METRICS'],
  tasks: ['CHIME_TASKS'],
  workerConcurrency: ['CHIME_WORKER_CONCURRENCY'],
  workerPrefetch: ['CHIME_PREFETCH'],
  queues: ['CHIME_QUEUES'],
  dataDir: ['CHIME_DATA_DIR'],
  jwtSecret: ['CHIME_JWT_SECRET'],
  jwksUrl: ['CHIME_JWKS_URL'],
  jwtIssuer: ['CHIME_JWT_ISSUER'],
  jwtAudience: ['CHIME_JWT_AUDIENCE'],
  eventsUrl: ['CHIME_EVENTS_URL'],
  eventsTypes: ['CHIME_EVENTS_TYPES'],
  allowTarget: ['CHIME_ALLOW_TARGET'],
  targetConcurrency: ['CHIME_TARGET_CONCURRENCY'],
  webhookSecret: ['CHIME_WEBHOOK_SECRET'],
  webhookSigning: ['CHIME_WEBHOOK_SIGNING'],
  failureHookUrl: ['CHIME_FAILURE_HOOK_URL'],
  daprApiToken: ['DAPR_API_TOKEN'],
  appApiToken: ['APP_API_TOKEN'],
  ui: ['CHIME_UI'],
};

/** Flags win over environment variables, which win over defaults. */
export function resolveServerOptions(flags: RawOptions, env: NodeJS.ProcessEnv = process.env): ServerOptions {
  const raw = (key: keyof ServerOptions): string | undefined => {
    if (flags[key] !== undefined) return flags[key];
    for (const name of ENV[key]) if (env[name] !== undefined && env[name] !== '') return env[name];
    return undefined;
  };
  const appPort = env.APP_PORT ? `http://127.0.0.1:${env.APP_PORT}` : undefined;
  const appUrl = raw('appUrl') ?? appPort ?? 'http://127.0.0.1:8000';
  try {
    new URL(appUrl);
  } catch {
    throw new OptionError(`app-url: "${appUrl}" is not a URL (e.g. http://127.0.0.1:8000)`);
  }
  const store = raw('store') ?? 'sqlite:./.chime/chime.db';
  const queues = raw('queues');
  const jwksUrl = raw('jwksUrl') ?? null;
  if (jwksUrl !== null) {
    try {
      new URL(jwksUrl);
    } catch {
      throw new OptionError(`jwks-url: "${jwksUrl}" is not a URL`);
    }
  }
  return {
    port: integer('port', raw('port'), 3500, 0, 65535),
    host: raw('host') ?? '127.0.0.1',
    grpcPort: raw('grpcPort') === 'off' ? null : integer('grpc-port', raw('grpcPort'), 50001, 0, 65535),
    appProtocol: oneOf('app-protocol', raw('appProtocol'), APP_PROTOCOLS, 'http'),
    store,
    appUrl,
    callbackStyle: oneOf('callback-style', raw('callbackStyle'), ['auto', 'seed', 'dapr'] as const, 'auto'),
    maxConcurrentJobs: integer('max-concurrent-jobs', raw('maxConcurrentJobs'), 10, 1, 100_000),
    jobTimeoutMs: duration('job-timeout', raw('jobTimeoutMs'), 300_000),
    maxRetries: integer('max-retries', raw('maxRetries'), 3, -1, 1_000_000),
    retryIntervalMs: duration('retry-interval', raw('retryIntervalMs'), 1000),
    missedFirePolicy: oneOf('missed-fire-policy', raw('missedFirePolicy'), MISSED_FIRE_POLICIES, 'fire_once'),
    missedFireThresholdMs: duration('missed-fire-threshold', raw('missedFireThresholdMs'), 5000),
    leaseMs: duration('lease', raw('leaseMs'), 15_000, 100),
    retentionMs: duration('retention', raw('retentionMs'), 7 * 24 * 3_600_000),
    bodyLimit: integer('body-limit', raw('bodyLimit'), 1_048_576, 1024, 1_073_741_824),
    drainGraceMs: duration('drain-grace', raw('drainGraceMs'), 10_000),
    nodeId: raw('nodeId') ?? null,
    logLevel: oneOf('log-level', raw('logLevel'), ['error', 'warn', 'info', 'debug'] as const, 'info'),
    logFormat: oneOf('log-format', raw('logFormat'), ['json', 'pretty'] as const, process.stderr.isTTY ? 'pretty' : 'json'),
    metrics: oneOf('metrics', raw('metrics'), ['on', 'off', 'true', 'false'] as const, 'on').replace('true', 'on') === 'on',
    tasks: raw('tasks') ?? null,
    workerConcurrency: integer('worker-concurrency', raw('workerConcurrency'), 10, 1, 100_000),
    workerPrefetch: raw('workerPrefetch') === undefined ? null : integer('prefetch', raw('workerPrefetch'), 0, 0, 100_000),
    queues: queues === undefined ? null : queueList(queues),
    dataDir: raw('dataDir') ?? defaultDataDir(store),
    jwtSecret: raw('jwtSecret') ?? null,
    jwksUrl,
    jwtIssuer: raw('jwtIssuer') ?? null,
    jwtAudience: raw('jwtAudience') ?? null,
    eventsUrl: eventsUrl(raw('eventsUrl')),
    eventsTypes: eventTypes(raw('eventsTypes')),
    allowTarget: list(raw('allowTarget')),
    targetConcurrency: raw('targetConcurrency') === undefined ? null : integer('target-concurrency', raw('targetConcurrency'), 1, 1, 100_000),
    webhookSecret: raw('webhookSecret') === undefined ? null : webhookSecrets(raw('webhookSecret')!),
    webhookSigning: oneOf('webhook-signing', raw('webhookSigning'), ['true', 'false'] as const, 'true') === 'true',
    failureHookUrl: url('failure-hook-url', raw('failureHookUrl')),
    daprApiToken: raw('daprApiToken') ?? null,
    appApiToken: raw('appApiToken') ?? null,
    ui: oneOf('ui', raw('ui'), ['true', 'false'] as const, 'true') === 'true',
  };
}

function eventsUrl(text: string | undefined): string | null {
  if (text === undefined) return null;
  try {
    new URL(text);
    sinkKind(text);
  } catch (error) {
    throw new OptionError(`events-url: "${text}" is not a broker URL: ${(error as Error).message}`);
  }
  return text;
}

function eventTypes(text: string | undefined): PublishedEventType[] {
  if (text === undefined) return [...PUBLISHED_EVENT_TYPES];
  try {
    return parseEventTypes(text);
  } catch (error) {
    throw new OptionError(`events-types: ${(error as Error).message}`);
  }
}

function list(text: string | undefined): string[] {
  return text === undefined ? [] : text.split(',').map((entry) => entry.trim()).filter(Boolean);
}

function url(name: string, text: string | undefined): string | null {
  if (text === undefined) return null;
  try {
    const parsed = new URL(text);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new Error('not http');
  } catch {
    throw new OptionError(`${name}: "${text}" is not an http(s) URL`);
  }
  return text;
}

function webhookSecrets(text: string): string[] {
  const secrets = list(text);
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
  const names = text.split(',').map((q) => q.trim()).filter(Boolean);
  for (const name of names) {
    if (!QUEUE_NAME.test(name)) throw new OptionError(`queues: "${name}" is not a queue name (letters, digits, _ . : -)`);
  }
  if (names.length === 0) throw new OptionError('queues: give at least one queue name');
  return names;
}

function integer(name: string, text: string | undefined, fallback: number, min: number, max: number): number {
  if (text === undefined) return fallback;
  if (!/^-?\d+$/.test(text.trim())) throw new OptionError(`${name}: "${text}" is not an integer`);
  const value = Number(text);
  if (value < min || value > max) throw new OptionError(`${name}: ${value} is out of range ${min}..${max}`);
  return value;
}

/** A Go duration ("30s", "5m") or a bare number of milliseconds. */
function duration(name: string, text: string | undefined, fallback: number, min = 0): number {
  if (text === undefined) return fallback;
  let ms: number;
  if (/^\d+$/.test(text.trim())) ms = Number(text);
  else {
    try {
      ms = parseGoDuration(text.trim());
    } catch (error) {
      if (error instanceof SyntaxProblem) throw new OptionError(`${name}: ${error.message}`);
      throw error;
    }
  }
  if (ms < min) throw new OptionError(`${name}: must be at least ${min} ms`);
  return Math.round(ms);
}

function oneOf<T extends string>(name: string, text: string | undefined, allowed: readonly T[], fallback: T): T {
  if (text === undefined) return fallback;
  if (!(allowed as readonly string[]).includes(text)) throw new OptionError(`${name}: "${text}" is not one of ${allowed.join(', ')}`);
  return text as T;
}

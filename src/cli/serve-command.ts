import type { Command } from 'commander';
import { ChimeError } from '../core/errors.js';
import { OptionError, resolveServerOptions, type RawOptions, type ServerOptions } from '../server/options.js';
import { startServer } from '../server/start-server.js';
import { startWorkerProcess } from '../server/start-worker.js';
import { StartupError } from '../server/startup-error.js';
import type { CliIo } from './output.js';

/** Flag name → ServerOptions key; every flag also has an environment variable (docs/configuration.md). */
export const SERVE_FLAGS: [flag: string, key: keyof RawOptions, help: string][] = [
  ['--port <port>', 'port', 'HTTP port (env CHIME_PORT, DAPR_HTTP_PORT; default 3500)'],
  ['--host <host>', 'host', 'interface to listen on (env CHIME_HOST; default 127.0.0.1)'],
  ['--grpc-port <port>', 'grpcPort', 'gRPC API port (Dapr SDKs), off = none (env CHIME_GRPC_PORT, DAPR_GRPC_PORT; default 50001)'],
  ['--no-grpc', 'grpcPort', 'do not serve the gRPC API (same as --grpc-port off)'],
  ['--app-protocol <protocol>', 'appProtocol', 'http or grpc: how callbacks reach the app (env CHIME_APP_PROTOCOL, APP_PROTOCOL; default http)'],
  ['--store <url>', 'store', 'sqlite:./path.db, postgres://..., redis://... (env CHIME_STORE; default sqlite:./.chime/chime.db)'],
  ['--app-url <url>', 'appUrl', 'base URL of the app that receives callbacks (env CHIME_APP_URL or APP_PORT; default http://127.0.0.1:8000)'],
  ['--callback-style <style>', 'callbackStyle', 'auto, seed (POST /api/jobs/trigger) or dapr (POST /job/{name}) (env CHIME_CALLBACK_STYLE; default auto)'],
  ['--max-concurrent-jobs <n>', 'maxConcurrentJobs', 'callbacks in flight at once (env MAX_CONCURRENT_JOBS; default 10)'],
  ['--job-timeout <duration>', 'jobTimeoutMs', 'callback timeout, e.g. 30s (env JOB_TIMEOUT; default 5m)'],
  ['--max-retries <n>', 'maxRetries', 'default retries after a failed attempt, -1 = forever (env CHIME_MAX_RETRIES; default 3)'],
  ['--retry-interval <duration>', 'retryIntervalMs', 'default wait between attempts (env CHIME_RETRY_INTERVAL; default 1s)'],
  ['--missed-fire-policy <policy>', 'missedFirePolicy', 'fire_once, all or skip for jobs that name none (env CHIME_MISSED_FIRE_POLICY; default fire_once)'],
  ['--missed-fire-threshold <duration>', 'missedFireThresholdMs', 'an occurrence this late counts as missed (env CHIME_MISSED_FIRE_THRESHOLD; default 5s)'],
  ['--lease <duration>', 'leaseMs', "claim lease; a dead node's jobs return after it (env CHIME_LEASE; default 15s)"],
  ['--retention <duration>', 'retentionMs', 'keep finished jobs and history this long (env CHIME_RETENTION; default 168h)'],
  ['--body-limit <bytes>', 'bodyLimit', 'largest request body (env CHIME_BODY_LIMIT; default 1048576)'],
  ['--drain-grace <duration>', 'drainGraceMs', 'on shutdown, time running jobs get to finish (env CHIME_DRAIN_GRACE; default 10s)'],
  ['--node-id <id>', 'nodeId', 'this node in leases (env CHIME_NODE_ID; default kept in the data dir, stable across restarts)'],
  ['--log-level <level>', 'logLevel', 'error, warn, info or debug (env CHIME_LOG_LEVEL; default info)'],
  ['--log-format <format>', 'logFormat', 'json or pretty (env CHIME_LOG_FORMAT; default pretty on a terminal, else json)'],
  ['--metrics <on|off>', 'metrics', 'serve Prometheus metrics at /metrics (env CHIME_METRICS; default on)'],
  ['--tasks <module>', 'tasks', 'run the tasks this module exports in this process (env CHIME_TASKS)'],
  ['--worker-concurrency <n>', 'workerConcurrency', 'task jobs run at once by this process (env CHIME_WORKER_CONCURRENCY; default 10)'],
  ['--prefetch <n>', 'workerPrefetch', 'task jobs claimed ahead of free slots (env CHIME_PREFETCH; default max(worker concurrency, 16))'],
  ['--queues <names>', 'queues', "comma-separated queues to take task jobs from (env CHIME_QUEUES; default the tasks' queues)"],
  ['--data-dir <dir>', 'dataDir', "where the generated JWT secret and the node id live (env CHIME_DATA_DIR; default the SQLite file's folder or ./.chime)"],
  ['--jwt-secret <secret>', 'jwtSecret', 'HS256 secret for /api/v1 tokens (env CHIME_JWT_SECRET; default generated into the data dir)'],
  ['--jwks-url <url>', 'jwksUrl', 'verify /api/v1 tokens against this JWKS instead (env CHIME_JWKS_URL)'],
  ['--jwt-issuer <iss>', 'jwtIssuer', 'required iss claim (env CHIME_JWT_ISSUER)'],
  ['--jwt-audience <aud>', 'jwtAudience', 'required aud claim (env CHIME_JWT_AUDIENCE)'],
  ['--events-url <url>', 'eventsUrl', 'publish job events as CloudEvents to nats://, amqp://, redis:// or mqtt:// (env CHIME_EVENTS_URL)'],
  ['--events-types <types>', 'eventsTypes', 'event types to publish, e.g. fired,succeeded (env CHIME_EVENTS_TYPES; default all)'],
  ['--allow-target <entries>', 'allowTarget', 'hosts, *.domains, IPs, CIDRs job targets may reach besides the app URL (env CHIME_ALLOW_TARGET)'],
  ['--target-concurrency <n>', 'targetConcurrency', 'requests in flight to one target other than the app URL (env CHIME_TARGET_CONCURRENCY; default half of max-concurrent-jobs)'],
  ['--webhook-secret <whsec>', 'webhookSecret', 'signing secret(s), two comma-separated while rotating (env CHIME_WEBHOOK_SECRET; default generated into the data dir)'],
  ['--webhook-signing <bool>', 'webhookSigning', 'sign callbacks with Standard Webhooks headers (env CHIME_WEBHOOK_SIGNING; default true)'],
  ['--failure-hook-url <url>', 'failureHookUrl', 'called when any job fails for good (env CHIME_FAILURE_HOOK_URL)'],
  ['--no-ui', 'ui', 'do not serve the web dashboard at /ui (env CHIME_UI=false; default on)'],
];

/** The flags `chime worker` takes (no HTTP, no callbacks). */
export const WORKER_FLAG_KEYS: readonly (keyof RawOptions)[] = [
  'store',
  'tasks',
  'workerConcurrency',
  'workerPrefetch',
  'queues',
  'leaseMs',
  'missedFireThresholdMs',
  'retentionMs',
  'drainGraceMs',
  'nodeId',
  'dataDir',
  'logLevel',
  'eventsUrl',
  'eventsTypes',
  'failureHookUrl',
  'logFormat',
];

export function addServeFlags(command: Command, only?: readonly (keyof RawOptions)[]): Command {
  for (const [flag, key, help] of SERVE_FLAGS) if (!only || only.includes(key)) command.option(flag, help);
  return command;
}

export function rawOptionsFrom(flags: Record<string, string | undefined>): RawOptions {
  const raw: RawOptions = {};
  for (const [flag, key] of SERVE_FLAGS) {
    const attribute = flag.split(' ')[0]!.slice(2).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (flag.startsWith('--no-')) continue;
    if (flags[attribute] !== undefined) raw[key] = flags[attribute];
  }
  // Commander keeps `--no-grpc` as grpc: false (and true when absent).
  if ((flags as Record<string, unknown>).grpc === false) raw.grpcPort = 'off';
  if ((flags as Record<string, unknown>).ui === false) raw.ui = 'false';
  return raw;
}

/** Options from flags and environment, or null after printing why they are wrong. */
export function optionsOrExplain(flags: Record<string, string | undefined>, io: CliIo): ServerOptions | null {
  try {
    return resolveServerOptions(rawOptionsFrom(flags));
  } catch (error) {
    if (error instanceof OptionError || error instanceof ChimeError) {
      io.err(`error: ${error.message}`);
      return null;
    }
    throw error;
  }
}

/** Runs the server until SIGTERM/SIGINT, then shuts down gracefully (a second signal forces exit). */
export async function serve(flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const options = optionsOrExplain(flags, io);
  if (!options) return 2;
  const server = await explainStartup(() => startServer(options), io);
  if (typeof server === 'number') return server;
  await runUntilSignalled(server, io);
  return 0;
}

/** Starts a process, or prints the one-line reason it could not and returns its exit code. */
async function explainStartup<T>(start: () => Promise<T>, io: CliIo): Promise<T | number> {
  try {
    return await start();
  } catch (error) {
    if (!(error instanceof StartupError)) throw error;
    io.err(`error: ${error.message}`);
    return error.exitCode;
  }
}

/** `chime worker`: runs tasks from the shared store until SIGTERM/SIGINT. */
export async function work(flags: Record<string, string | undefined>, io: CliIo): Promise<number> {
  const options = optionsOrExplain({ ...flags, workerConcurrency: flags.workerConcurrency ?? flags.concurrency }, io);
  if (!options) return 2;
  if (!options.tasks) {
    io.err('error: tasks: a worker needs --tasks <module> (or CHIME_TASKS)');
    return 2;
  }
  const worker = await explainStartup(() => startWorkerProcess(options), io);
  if (typeof worker === 'number') return worker;
  await runUntilSignalled(worker, io);
  return 0;
}

async function runUntilSignalled(server: { close(): Promise<void> }, io: CliIo): Promise<void> {
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = (signal: string): void => {
      if (stopping) {
        io.err(`${signal} again: exiting now`);
        process.exit(1);
      }
      stopping = true;
      io.err(`${signal}: draining (stop claiming, finish or hand back running jobs)...`);
      void server.close().then(resolve);
    };
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGINT', () => stop('SIGINT'));
  });
}

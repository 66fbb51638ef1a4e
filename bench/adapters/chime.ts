/**
 * Chime on SQLite, PostgreSQL or Redis, measured as users deploy it.
 *
 * Settings:
 * - A `chime serve` process per trial (its own SQLite file, PostgreSQL schema `bench_chime_*`
 *   or Redis prefix `chime-bench:chime-*`), with defaults except `--jwt-secret` and, for the
 *   callback systems, `--max-concurrent-jobs` = the workload's concurrency.
 * - Jobs enter through the SDK over HTTP: `JobsClient.createJob` singly (no client-side
 *   batching: `chime-*-sdk-batched` measures the SDK's `batchCreates` option), `createJobs`
 *   (POST /api/v1/jobs/bulk) for bulk, in batches of 1,000 like every system.
 * - Task systems (`chime-<store>`): the worker runs in the bench process through the library
 *   (`startWorkerProcess`, the code `chime worker` runs) on the same store, so the handler
 *   calls `onJobStart` in this process. Completions are counted from the engine's "outcomes
 *   written" event, after they are committed.
 * - Callback systems (`chime-<store>-callback`): named jobs through the Dapr-style API
 *   (`POST /v1.0/jobs/{name}`, concurrent singles: it has no bulk form), delivered by the
 *   server over HTTP to a receiver in this process (`POST /api/jobs/trigger`), which calls
 *   `onJobStart`. This is issue 2's "delivered by HTTP callback to a local receiver": one HTTP
 *   hop more than the task path. Completions are counted in the store.
 * - gRPC systems (`chime-<store>-grpc`): a Dapr SDK app's path. Jobs through the gRPC API
 *   (`ScheduleJobAlpha1`, 100 in flight, on `--grpc-port`), delivered with
 *   `--app-protocol grpc` to `AppCallback.OnJobEvent` of a gRPC app in this process, which
 *   calls `onJobStart`. Workload 8 drives the same server's gRPC API from its load generator.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchJob, BenchTrial, HttpTarget, JobStartListener, SystemAdapter, WorkerSettings, WorkloadName } from '../adapter.js';
import { CompletionCounter } from '../completion-counter.js';
import type { ServiceConfig } from '../services.js';
import { DELIVERY_SETTINGS, openCallbackTrial, openGrpcTrial, type TrialCounter } from './chime-callback-trials.js';
import { BENCH_SECRET, ChimeServerProcess, isoDueTime } from './chime-server.js';
import { openTrialStore, type ChimeBackend, type TrialStore } from './chime-trial-store.js';
import { packageVersionAt } from './package-version.js';
import { connectRedis, deleteKeysWithPrefix } from './redis.js';

export type { ChimeBackend } from './chime-trial-store.js';
export type Chime = typeof import('@chime-scheduler/server');
export type ChimeMode = 'tasks' | 'callbacks' | 'grpc-callbacks' | 'batched-sdk';

/**
 * How callbacks go out (issue 12's on/off comparison):
 * - `default`: to the app URL, signed (what `chime serve` does out of the box);
 * - `plain`: to the app URL, unsigned (`--webhook-signing false`): signing and guard off;
 * - `guarded`: each job names its own `target` (`http://localhost:<port>`, allowed by
 *   `--allow-target`), so every request passes the outbound guard (URL check, and the
 *   checked DNS lookup on each new connection), signed.
 */
export type CallbackDeliveryVariant = 'default' | 'plain' | 'guarded';

export interface ChimeSystemOptions {
  readonly name: string;
  readonly backend: ChimeBackend;
  readonly mode: ChimeMode;
  readonly workloads: readonly WorkloadName[];
  /** Callbacks mode: also publish every job event (all types) to a Redis stream with `--events-url`. */
  readonly events?: boolean;
  /** Callback systems only. @default 'default' */
  readonly delivery?: CallbackDeliveryVariant;
  /** Extra `chime serve` flags (e.g. observability off, measured against the defaults). */
  readonly serverArgs?: readonly string[];
  /** Callback systems: the server runs with its inspector on, for workload 12's CPU profile. */
  readonly profiled?: boolean;
  /** SQLite: options of the store spec (`thread=on`: the store on its own thread). */
  readonly sqliteQuery?: string;
}

const TASK = 'bench_noop';
const QUEUE = 'bench';
const BULK_BATCH = 1_000;

export function createChimeAdapter(services: ServiceConfig, options: ChimeSystemOptions): SystemAdapter {
  let chime: Chime | undefined;
  let trials = 0;
  let dir = '';
  const redisPrefix = `chime-bench:${options.name}`;
  const schemaPrefix = `bench_${options.name.replace(/-/g, '_')}`;
  const openStore = (n: number): TrialStore =>
    openTrialStore(services, { backend: options.backend, dir, sqliteQuery: options.sqliteQuery, schemaPrefix, redisPrefix }, n);

  const settings = [
    `store: ${options.backend} (a fresh ${options.backend === 'sqlite' ? 'file' : options.backend === 'postgres' ? 'schema' : 'key prefix'} per trial), server defaults otherwise`,
    options.mode === 'callbacks'
      ? `named jobs via POST /v1.0/jobs/{name} (100 in flight); HTTP callback to a receiver in the bench process; --max-concurrent-jobs = workload concurrency; ${DELIVERY_SETTINGS[options.delivery ?? 'default']}`
      : options.mode === 'grpc-callbacks'
        ? 'named jobs via gRPC ScheduleJobAlpha1 (100 in flight); --app-protocol grpc: OnJobEvent to a gRPC app in the bench process; --max-concurrent-jobs = workload concurrency'
        : 'jobs via the SDK over HTTP (JobsClient.createJob / createJobs, 1,000 per bulk call); worker in the bench process through the library, on the same store',
    ...(options.mode === 'batched-sdk' ? ['SDK option batchCreates: createJob calls made in one tick travel as one bulk request'] : []),
    ...(options.events ? ['--events-url redis://.../?stream=<per trial>: every job event (created, fired, succeeded) published as a CloudEvent to a Redis stream'] : []),
    ...(options.serverArgs?.length ? [`chime serve ${options.serverArgs.join(' ')}`] : []),
    ...(options.sqliteQuery ? [`--store sqlite:<file>?${options.sqliteQuery}`] : []),
    ...(options.profiled ? ['node --inspect=127.0.0.1:0: a CPU profile (1 ms sampling) of the server during the burst'] : []),
  ];

  return {
    name: options.name,
    kind: 'chime',
    product: 'Chime',
    // This checkout is Chime: its own package.json (the package does not export that file).
    version: () => packageVersionAt(new URL('../../package.json', import.meta.url)),
    settings,
    workloads: new Set(options.workloads),
    bulkBatchSize: BULK_BATCH,

    async setUp() {
      chime = await import('@chime-scheduler/server');
      dir = mkdtempSync(join(tmpdir(), 'chime-bench-'));
      if (options.backend === 'redis' || options.events) {
        const redis = connectRedis(services);
        try {
          await deleteKeysWithPrefix(redis, `${redisPrefix}:`);
        } finally {
          redis.disconnect();
        }
      }
    },

    async openTrial(): Promise<BenchTrial> {
      if (!chime) throw new Error('setUp() has not run');
      const lib = chime;
      const store = openStore(++trials);
      // The task must be registered before jobs can be created for it: a worker does that.
      const registration = await lib.createStore(store.spec);
      await registration.open();
      await registration.registerTasks(
        [{ name: TASK, version: '1.0', description: 'bench no-op', queue: QUEUE, timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false }],
        Date.now(),
      );
      await registration.close();
      const token = await lib.createToken({ secret: BENCH_SECRET, scope: 'admin', expiresInSeconds: 24 * 3600, subject: 'bench' });
      if (options.events) {
        const stream = `${redisPrefix}:${trials}:events`;
        const dropStore = store.drop;
        store.drop = async () => {
          await dropStore();
          const redis = connectRedis(services);
          try {
            await redis.del(stream);
          } finally {
            redis.disconnect();
          }
        };
        store.eventsUrl = `redis://${services.redisHost}:${services.redisPort}?stream=${encodeURIComponent(stream)}`;
      }
      if (options.mode === 'callbacks') return openCallbackTrial(lib, store, options);
      if (options.mode === 'grpc-callbacks') return openGrpcTrial(lib, store);
      return openTaskTrial(lib, store, token, options.mode === 'batched-sdk');
    },

    async tearDown() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function openTaskTrial(lib: Chime, store: TrialStore, token: string, batched: boolean): Promise<BenchTrial> {
  const server = await ChimeServerProcess.start(['--store', store.spec, '--jwt-secret', BENCH_SECRET]);
  const client = new lib.JobsClient(server.url, token, { batchCreates: batched });
  const completions = new CompletionCounter('Chime');
  let worker: Awaited<ReturnType<Chime['startWorkerProcess']>> | undefined;
  let workerDataDir: string | undefined;
  const claimTimesMs: number[] = [];
  const dto = (job: BenchJob) => ({ task_name: TASK, args: [job.index], scheduled_at: isoDueTime(job.dueAtMs) });
  return {
    async add(job) {
      await client.createJob(dto(job));
    },
    async addBulk(jobs) {
      await client.createJobs(jobs.map(dto));
    },
    async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
      // A data dir of its own: the server's holds the server's node id (one id per node).
      workerDataDir = mkdtempSync(join(tmpdir(), 'chime-bench-worker-'));
      const options = lib.resolveServerOptions({ store: store.spec, logLevel: 'warn', dataDir: workerDataDir }, {});
      const task = lib.defineTask({
        name: TASK,
        queue: QUEUE,
        max_retries: 0,
        handler: ({ args }) => {
          onJobStart(args[0] as number);
        },
      });
      worker = await lib.startWorkerProcess({ ...options, workerConcurrency: concurrency }, { tasks: [task] });
      timeClaims(worker.store, claimTimesMs);
      worker.engine.onOutcomesWritten((outcomes) => completions.increment(outcomes.filter((o) => o.status === 'completed').length));
    },
    waitForCompletions: (count, signal) => completions.waitFor(count, signal),
    claimTimesMs: () => claimTimesMs,
    measureStorage: () => store.measure(),
    async measureServer() {
      return server.report();
    },
    async startHttp(): Promise<HttpTarget> {
      const json = { 'content-type': 'application/json' };
      return {
        origin: server.url,
        token,
        create: { method: 'POST', path: '/v1.0/jobs/bench-{i}', headers: json, body: '{"dueTime":"24h","data":{"i":{i}}}' },
        get: { method: 'GET', path: '/v1.0/jobs/bench-{i}' },
        list: { method: 'GET', path: '/v1.0/jobs?limit=100' },
      };
    },
    async close() {
      await worker?.close();
      if (workerDataDir) rmSync(workerDataDir, { recursive: true, force: true });
      await server.stop();
      await store.drop();
    },
  };
}

/**
 * Times every claim the worker's engine makes (workload 10). The worker's store is not the
 * server's, so the server's `chime_store_operation_seconds{operation="claimDue"}` never sees
 * these; the engine calls `store.claimDue` on this object, so an own property in front of the
 * method times exactly its claims, in this process, at the cost of one closure per claim.
 */
function timeClaims(store: { claimDue: TrialCounter['claimDue'] }, into: number[]): void {
  const claimDue = store.claimDue.bind(store);
  store.claimDue = async (request) => {
    const startedAt = performance.now();
    try {
      return await claimDue(request);
    } finally {
      into.push(performance.now() - startedAt);
    }
  };
}


/**
 * BullMQ 6.7 on Redis.
 *
 * Settings (the fastest the BullMQ docs describe for throughput):
 * - Producer: `Queue.add` singly, `Queue.addBulk` in batches of 1,000 (one
 *   MULTI per call).
 * - `removeOnComplete: true, removeOnFail: true` as default job options: the
 *   finishing script deletes the job instead of growing the completed set.
 * - Worker `concurrency` as the workload asks; `skipStalledCheck: true`
 *   because a single worker owns the queue, so the periodic stalled-jobs
 *   script only costs round trips here.
 * - `drainDelay` left at its default (5 s): it only bounds how long an idle
 *   worker's BZPOPMIN blocks; a new job wakes it at once through the marker
 *   key, so lowering it adds polling without cutting latency.
 * - Delayed jobs use `delay` plus an explicit `timestamp`, so the due time is
 *   exactly `timestamp + delay` instead of drifting by the time `add` takes
 *   to build the job.
 *
 * Why `hz` matters: a worker waiting for the next delayed job blocks in
 * BZPOPMIN with a timeout up to that job's due time. Redis notices expired
 * blocking timeouts when its event loop wakes, which an otherwise idle server
 * does about `hz` times a second, so at the default hz 10 a delayed job can
 * fire up to ~100 ms late (measured here: p99 lateness ~98 ms at hz 10,
 * ~23 ms at hz 100).
 * The `bullmq-hz100` system runs `CONFIG SET hz 100` for its trials only and
 * restores the previous value when each trial closes, whatever happens.
 */
import type { Job, JobsOptions, Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { BenchJob, BenchTrial, JobStartListener, StorageReport, SystemAdapter, WorkerSettings, WorkloadName } from '../adapter.js';
import type { ServiceConfig } from '../services.js';
import { CompletionCounter } from '../completion-counter.js';
import { installedVersion } from './package-version.js';
import { connectRedis, deleteKeysWithPrefix, getRedisHz, memoryUsageOfPrefix, setRedisHz, usedMemoryBytes } from './redis.js';

export interface BullmqSystemOptions {
  /** System name; also the last part of the Redis key prefix. */
  readonly name: string;
  /** `hz` to set on the Redis server while this system's trials run; absent = leave it alone. */
  readonly redisHz?: number;
  readonly workloads: readonly WorkloadName[];
}

interface JobData {
  readonly i: number;
}

const BULK_BATCH = 1_000;
/** Every key this harness creates in Redis starts with this. */
const KEY_ROOT = 'chime-bench';

function jobOptions(job: BenchJob): JobsOptions | undefined {
  if (job.dueAtMs === undefined) return undefined;
  const timestamp = Date.now();
  return { timestamp, delay: Math.max(0, Math.ceil(job.dueAtMs) - timestamp) };
}

export function createBullmqAdapter(services: ServiceConfig, options: BullmqSystemOptions): SystemAdapter {
  const keyPrefix = `${KEY_ROOT}:${options.name}`;
  const connection = { host: services.redisHost, port: services.redisPort, maxRetriesPerRequest: null };
  let bullmq: typeof import('bullmq') | undefined;
  let admin: Redis | undefined;
  let trialCount = 0;
  /** The server's hz before a trial changed it; set only while a trial runs. */
  let hzToRestore: number | undefined;

  const restoreHz = async (): Promise<void> => {
    if (hzToRestore === undefined || !admin) return;
    await setRedisHz(admin, hzToRestore);
    hzToRestore = undefined;
  };

  const settings = [
    'Queue.add / Queue.addBulk (1,000 per call)',
    'job options removeOnComplete: true, removeOnFail: true',
    'Worker concurrency per workload; skipStalledCheck: true; drainDelay default (5 s)',
    'delayed jobs: delay + explicit timestamp',
    options.redisHz === undefined
      ? "Redis hz: the server's current value (printed with the machine)"
      : `Redis CONFIG SET hz ${options.redisHz} during this system's trials, restored after each`,
  ];

  return {
    name: options.name,
    kind: 'peer',
    product: 'BullMQ',
    version: () => installedVersion('bullmq'),
    settings,
    workloads: new Set(options.workloads),
    bulkBatchSize: BULK_BATCH,

    async setUp() {
      bullmq = await import('bullmq');
      admin = connectRedis(services);
      try {
        await deleteKeysWithPrefix(admin, `${keyPrefix}:`);
      } catch (error) {
        // tearDown() only runs after a successful setUp(): close here, or the
        // reconnecting client would keep the process alive.
        admin.disconnect();
        admin = undefined;
        throw error;
      }
    },

    async openTrial(): Promise<BenchTrial> {
      if (!bullmq || !admin) throw new Error('setUp() has not run');
      const { Queue: QueueClass, Worker: WorkerClass } = bullmq;
      const adminConnection = admin;
      const queueName = `trial-${++trialCount}`;
      const trialKeyPrefix = `${keyPrefix}:${queueName}:`;
      if (options.redisHz !== undefined) {
        hzToRestore = await getRedisHz(adminConnection);
        await setRedisHz(adminConnection, options.redisHz);
      }
      const queue: Queue<JobData> = new QueueClass<JobData>(queueName, {
        connection,
        prefix: keyPrefix,
        defaultJobOptions: { removeOnComplete: true, removeOnFail: true },
      });
      await queue.waitUntilReady();
      const completions = new CompletionCounter('BullMQ');
      let worker: Worker<JobData> | undefined;

      return {
        async add(job) {
          await queue.add('noop', { i: job.index }, jobOptions(job));
        },
        async addBulk(jobs) {
          await queue.addBulk(jobs.map((job) => ({ name: 'noop', data: { i: job.index }, opts: jobOptions(job) })));
        },
        async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
          worker = new WorkerClass<JobData>(
            queueName,
            async (job: Job<JobData>) => {
              onJobStart(job.data.i);
            },
            { connection, prefix: keyPrefix, concurrency, skipStalledCheck: true },
          );
          worker.on('completed', () => completions.increment());
          worker.on('error', (error) => process.stderr.write(`  ${options.name} worker error: ${error.message}\n`));
          await worker.waitUntilReady();
        },
        waitForCompletions: (count, signal) => completions.waitFor(count, signal),
        async measureStorage(): Promise<StorageReport> {
          const usage = await memoryUsageOfPrefix(adminConnection, trialKeyPrefix);
          return {
            bytes: usage.bytes,
            method: `sum of MEMORY USAGE … SAMPLES 0 over ${usage.keys} keys under ${trialKeyPrefix}`,
            extra: { keys: usage.keys, serverUsedMemoryBytes: await usedMemoryBytes(adminConnection) },
          };
        },
        async close() {
          try {
            await worker?.close();
            await queue.close();
            await deleteKeysWithPrefix(adminConnection, trialKeyPrefix);
          } finally {
            await restoreHz();
          }
        },
      };
    },

    async tearDown() {
      if (!admin) return;
      try {
        await restoreHz();
        await deleteKeysWithPrefix(admin, `${keyPrefix}:`);
      } finally {
        await admin.quit();
        admin = undefined;
      }
    },
  };
}

/**
 * pg-boss 10.4 on PostgreSQL.
 *
 * Settings (the fastest pg-boss 10 allows):
 * - Schema `bench_pgboss`, dropped before and after the session.
 * - One queue per trial, made with `createQueue` (v10 refuses `send` to a
 *   queue that does not exist; each queue is a partition of the job table),
 *   emptied and removed with `deleteQueue` afterwards.
 * - `send` singly; `insert` in batches of 1,000 (one INSERT … SELECT over a
 *   JSON array per call).
 * - `work` with `pollingIntervalSeconds: 0.5`, the minimum pg-boss accepts
 *   (src/attorney.js: MIN_POLLING_INTERVAL_MS = 500), and
 *   `batchSize: PG_BOSS_BATCH_SIZE`. pg-boss 10 has no per-worker concurrency
 *   option: a worker fetches a batch and hands the whole array to the
 *   handler. Our handler runs the batch's jobs with at most `concurrency` in
 *   flight, so "concurrency" means the same thing as for the other systems
 *   (handlers running at once), independent of how many jobs pg-boss
 *   fetches per poll (see PG_BOSS_BATCH_SIZE for why 1,000).
 * - `supervise: false, schedule: false`: no maintenance or cron timers firing
 *   in the middle of a measurement (maintenance archives and deletes old
 *   jobs, which minutes-long runs never accumulate).
 *
 * What the polling means: the worker loop fetches, awaits the handler, then
 * sleeps until `pollingInterval` has passed since the fetch began (src/
 * worker.js) — even when the fetch returned a full batch. So a job added to
 * an idle queue waits for the next poll (up to 500 ms), a delayed job fires
 * up to 500 ms after its `startAfter`, and one worker drains at most
 * `batchSize` jobs per 500 ms. pg-boss 10 has no LISTEN/NOTIFY wake-up;
 * `notifyWorker(id)` exists but only works inside the producing process, so
 * it is not used (a producer normally runs elsewhere).
 *
 * Completion: pg-boss completes the batch (one UPDATE) after the handler
 * resolves, without awaiting it; `waitForCompletions` therefore reads the
 * queue's state counts through `getQueueSize` until they show the jobs
 * completed.
 */
import type PgBoss from 'pg-boss';
import type { BenchJob, BenchTrial, JobStartListener, StorageReport, SystemAdapter, WorkerSettings, WorkloadName } from '../adapter.js';
import { pollUntil } from '../clock.js';
import type { ServiceConfig } from '../services.js';
import { installedVersion } from './package-version.js';
import { dropSchema, quoteSchema, schemaSizeBytes, withPostgres } from './postgres.js';

/**
 * Jobs fetched per poll. The loop sleeps 500 ms between fetches, so one
 * worker drains at most batchSize × 2 jobs/s and the drain rate is whatever
 * batch one picks: on this machine (process workload, 20,000 jobs, one run
 * each) 1,000 gave ~2,100 jobs/s, 5,000 ~12,000 and 20,000 ~29,000, the last
 * by locking the whole queue in one fetch. pg-boss documents no upper bound,
 * so "fastest" is unbounded; we use 1,000, the same batch every system gets
 * for bulk inserts, and docs/benchmarks.md states the trade-off.
 */
const PG_BOSS_BATCH_SIZE = 1_000;
const POLLING_INTERVAL_SECONDS = 0.5;
const BULK_BATCH = 1_000;
const SCHEMA = 'bench_pgboss';
/** How often `waitForCompletions` reads the state counts (it starts after every handler ran). */
const COMPLETION_POLL_MS = 10;

interface JobData {
  readonly i: number;
}

function startAfter(job: BenchJob): Date | undefined {
  return job.dueAtMs === undefined ? undefined : new Date(Math.ceil(job.dueAtMs));
}

/** Runs `body` over `items` with at most `limit` calls in flight. */
async function forEachWithConcurrency<T>(items: readonly T[], limit: number, body: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length) await body(items[next++]);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
}

/**
 * pg-boss 10's deleteQueue fails while the queue still holds jobs, completed
 * ones included ("violates foreign key constraint q_fkey": the FK is ON DELETE
 * RESTRICT; timgit/pg-boss#514 and #553, fixed in v11 only). Completed jobs
 * stay until maintenance archives them, so empty the queue's partition first.
 */
async function emptyQueuePartition(connectionString: string, queueName: string): Promise<void> {
  await withPostgres(connectionString, async (client) => {
    const { rows } = await client.query<{ partition_name: string }>(
      `SELECT partition_name FROM ${quoteSchema(SCHEMA)}.queue WHERE name = $1`,
      [queueName],
    );
    const partition = rows[0]?.partition_name;
    if (partition && /^j[0-9a-f]+$/.test(partition)) await client.query(`TRUNCATE ${quoteSchema(SCHEMA)}."${partition}"`);
  });
}

export interface PgBossSystemOptions {
  readonly name: string;
  readonly workloads: readonly WorkloadName[];
}

export function createPgBossAdapter(services: ServiceConfig, options: PgBossSystemOptions): SystemAdapter {
  let PgBossClass: typeof PgBoss | undefined;
  /** Session instance: creates the schema and deletes trial queues after their own instance stopped. */
  let admin: PgBoss | undefined;
  let trialCount = 0;

  const newBoss = (): PgBoss => {
    if (!PgBossClass) throw new Error('setUp() has not run');
    const boss = new PgBossClass({
      connectionString: services.postgresUrl,
      schema: SCHEMA,
      application_name: 'chime-bench-pgboss',
      supervise: false,
      schedule: false,
    });
    boss.on('error', (error) => process.stderr.write(`  ${options.name} error: ${error.message}\n`));
    return boss;
  };

  return {
    name: options.name,
    kind: 'peer',
    product: 'pg-boss',
    version: () => installedVersion('pg-boss'),
    settings: [
      `schema ${SCHEMA}; createQueue per trial (policy standard)`,
      'send singly; insert in batches of 1,000',
      `work: pollingIntervalSeconds ${POLLING_INTERVAL_SECONDS} (minimum allowed), batchSize ${PG_BOSS_BATCH_SIZE}; handler runs a batch with at most \`concurrency\` jobs in flight`,
      'supervise: false, schedule: false (no maintenance/cron timers during runs)',
      'connection pool: pg-boss default (max 10)',
    ],
    workloads: new Set(options.workloads),
    bulkBatchSize: BULK_BATCH,

    async setUp() {
      PgBossClass = (await import('pg-boss')).default;
      await dropSchema(services.postgresUrl, SCHEMA);
      admin = newBoss();
      await admin.start();
    },

    async openTrial(): Promise<BenchTrial> {
      const adminBoss = admin;
      if (!adminBoss) throw new Error('setUp() has not run');
      const queueName = `trial_${++trialCount}`;
      const boss = newBoss();
      await boss.start();
      await boss.createQueue(queueName);
      let added = 0;

      const completedCount = async (): Promise<number> => {
        // States are ordered created < retry < active < completed < cancelled < failed.
        const notCompleted = await boss.getQueueSize(queueName, { before: 'completed' });
        const upToCompleted = await boss.getQueueSize(queueName, { before: 'cancelled' });
        return upToCompleted - notCompleted;
      };

      return {
        async add(job) {
          const after = startAfter(job);
          await boss.send(queueName, { i: job.index }, after ? { startAfter: after } : {});
          added += 1;
        },
        async addBulk(jobs) {
          await boss.insert(jobs.map((job) => ({ name: queueName, data: { i: job.index }, startAfter: startAfter(job) })));
          added += jobs.length;
        },
        async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
          await boss.work<JobData>(
            queueName,
            { batchSize: PG_BOSS_BATCH_SIZE, pollingIntervalSeconds: POLLING_INTERVAL_SECONDS },
            async (jobs) => {
              await forEachWithConcurrency(jobs, concurrency, async (job) => {
                onJobStart(job.data.i);
              });
            },
          );
        },
        async waitForCompletions(count, signal) {
          await pollUntil(async () => (await completedCount()) >= count, COMPLETION_POLL_MS, signal);
        },
        async measureStorage(): Promise<StorageReport> {
          return {
            bytes: await schemaSizeBytes(services.postgresUrl, SCHEMA),
            method: `sum of pg_total_relation_size over the tables of schema ${SCHEMA} (${added} jobs inserted)`,
          };
        },
        async close() {
          try {
            await boss.stop({ graceful: true, wait: true, timeout: 10_000 });
          } finally {
            await emptyQueuePartition(services.postgresUrl, queueName);
            await adminBoss.deleteQueue(queueName);
          }
        },
      };
    },

    async tearDown() {
      try {
        await admin?.stop({ graceful: false, wait: true });
      } finally {
        admin = undefined;
        await dropSchema(services.postgresUrl, SCHEMA);
      }
    },
  };
}

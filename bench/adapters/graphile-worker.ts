/**
 * graphile-worker 0.17 on PostgreSQL.
 *
 * Settings (the configuration behind the "Quick stats" on
 * https://worker.graphile.org/docs/performance, the fastest the docs show):
 * - `localQueue: { size: 500 }`: the pool fetches and locks up to 500 jobs
 *   per query and hands them to its workers locally.
 * - `completeJobBatchDelay: 0`, `failJobBatchDelay: 0`: completions issued in
 *   the same tick are released in one statement.
 * - `concurrency` as the workload asks; `maxPoolSize` = max(10,
 *   concurrency + 2), the option's own recommendation.
 * - `addJob` (WorkerUtils) singly; `addJobs` in batches of 1,000 (one call of
 *   the add_jobs SQL function).
 * - No `jobKey`: every job is distinct, and a key only adds a lookup for
 *   replacing or de-duplicating jobs, which no workload needs.
 * - `pollInterval`: immediate jobs wake the worker at once through LISTEN/
 *   NOTIFY ("jobs:insert"); the poll interval only governs jobs that become
 *   due later (`runAt`) and retries (CLI help: "how long to wait between
 *   polling for jobs in milliseconds (for jobs scheduled in the future/
 *   retries)"). `graphile-worker` keeps the default 2,000 ms;
 *   `graphile-worker-poll100` uses 100 ms (no documented minimum; 10 idle
 *   queries a second is still a reasonable load) and only runs the
 *   delayed-job workloads.
 * - Every trial gets a freshly migrated schema (`DROP SCHEMA … CASCADE` is
 *   the documented reset), so no jobs or task rows carry over. Migrating a
 *   fresh schema NOTIFYs "worker:migrate" with `breaking: true`, and any
 *   graphile-worker listening on the same database (whatever its schema)
 *   shuts itself down on that; trials run one at a time, so ours never is.
 *
 * Completion: a completed job is deleted, so `waitForCompletions` counts the
 * rows left in the public `jobs` view.
 */
import type { Logger as GraphileLogger, Runner, WorkerUtils } from 'graphile-worker';
import type { BenchJob, BenchTrial, JobStartListener, StorageReport, SystemAdapter, WorkerSettings, WorkloadName } from '../adapter.js';
import { pollUntil } from '../clock.js';
import type { ServiceConfig } from '../services.js';
import { installedVersion } from './package-version.js';
import { dropSchema, quoteSchema, schemaSizeBytes, withPostgres } from './postgres.js';

export interface GraphileWorkerSystemOptions {
  readonly name: string;
  /** Dedicated schema, `bench_*`. */
  readonly schema: string;
  readonly pollIntervalMs: number;
  readonly workloads: readonly WorkloadName[];
}

interface JobData {
  readonly i: number;
}

const TASK = 'noop';
const LOCAL_QUEUE_SIZE = 500;
const BULK_BATCH = 1_000;
/** How often `waitForCompletions` counts the remaining rows (it starts after every handler ran). */
const COMPLETION_POLL_MS = 10;

function runAt(job: BenchJob): Date | undefined {
  return job.dueAtMs === undefined ? undefined : new Date(Math.ceil(job.dueAtMs));
}

export function createGraphileWorkerAdapter(services: ServiceConfig, options: GraphileWorkerSystemOptions): SystemAdapter {
  let graphile: typeof import('graphile-worker') | undefined;
  let logger: GraphileLogger | undefined;
  const schemaSql = quoteSchema(options.schema);

  return {
    name: options.name,
    kind: 'peer',
    product: 'graphile-worker',
    version: () => installedVersion('graphile-worker'),
    settings: [
      `localQueue.size ${LOCAL_QUEUE_SIZE}; completeJobBatchDelay 0; failJobBatchDelay 0`,
      'concurrency per workload; maxPoolSize max(10, concurrency + 2)',
      `pollInterval ${options.pollIntervalMs} ms${options.pollIntervalMs === 2000 ? ' (default)' : ''}`,
      'addJob singly; addJobs in batches of 1,000; no jobKey',
      `schema ${options.schema}, dropped and migrated afresh for every trial`,
    ],
    workloads: new Set(options.workloads),
    bulkBatchSize: BULK_BATCH,

    async setUp() {
      graphile = await import('graphile-worker');
      // Errors only: its info lines would interleave with the report.
      logger = new graphile.Logger(() => (level, message) => {
        if (String(level) === 'error') process.stderr.write(`  ${options.name}: ${message}\n`);
      });
      await dropSchema(services.postgresUrl, options.schema);
    },

    async openTrial(): Promise<BenchTrial> {
      if (!graphile || !logger) throw new Error('setUp() has not run');
      const { makeWorkerUtils, run, runMigrations } = graphile;
      const shared = { connectionString: services.postgresUrl, schema: options.schema, logger };
      await dropSchema(services.postgresUrl, options.schema);
      await runMigrations(shared);
      const utils: WorkerUtils = await makeWorkerUtils(shared);
      let runner: Runner | undefined;
      let added = 0;

      const remainingJobs = (): Promise<number> =>
        withPostgres(services.postgresUrl, async (client) => {
          const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${schemaSql}.jobs`);
          return Number(rows[0].count);
        });

      return {
        async add(job) {
          await utils.addJob(TASK, { i: job.index }, { runAt: runAt(job) });
          added += 1;
        },
        async addBulk(jobs) {
          await utils.addJobs(jobs.map((job) => ({ identifier: TASK, payload: { i: job.index }, runAt: runAt(job) })));
          added += jobs.length;
        },
        async startWorker(onJobStart: JobStartListener, { concurrency }: WorkerSettings) {
          runner = await run({
            ...shared,
            concurrency,
            maxPoolSize: Math.max(10, concurrency + 2),
            pollInterval: options.pollIntervalMs,
            noHandleSignals: true,
            taskList: {
              [TASK]: async (payload) => {
                onJobStart((payload as JobData).i);
              },
            },
            preset: {
              worker: { localQueue: { size: LOCAL_QUEUE_SIZE }, completeJobBatchDelay: 0, failJobBatchDelay: 0 },
            },
          });
        },
        async waitForCompletions(count, signal) {
          // One connection for the whole wait, not one per poll.
          await withPostgres(services.postgresUrl, async (client) => {
            await pollUntil(
              async () => {
                const { rows } = await client.query<{ count: string }>(`SELECT count(*) AS count FROM ${schemaSql}.jobs`);
                return added - Number(rows[0].count) >= count;
              },
              COMPLETION_POLL_MS,
              signal,
            );
          });
        },
        async measureStorage(): Promise<StorageReport> {
          return {
            bytes: await schemaSizeBytes(services.postgresUrl, options.schema),
            method: `sum of pg_total_relation_size over the tables of schema ${options.schema} (${await remainingJobs()} jobs stored)`,
          };
        },
        async close() {
          try {
            await runner?.stop();
            await utils.release();
          } finally {
            await dropSchema(services.postgresUrl, options.schema);
          }
        },
      };
    },

    async tearDown() {
      await dropSchema(services.postgresUrl, options.schema);
    },
  };
}

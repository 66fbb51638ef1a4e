import type { BenchJob, StorageReport } from '../adapter.js';
import { nowMs, wallClockOffsetMs } from '../clock.js';
import { formatNumber } from '../table.js';
import { addInBatches, makeJobs, withTrial, type Figures, type Workload } from './workload.js';

const DAY_MS = 24 * 60 * 60 * 1000;
/**
 * The first job is due this far out, so nothing becomes due while the store
 * is measured, even on a system whose server fires jobs with no worker.
 */
const FIRST_DUE_AFTER_MS = 10 * 60 * 1000;
const MIB = 1024 * 1024;

/**
 * Jobs `firstIndex`.. due over the next day, the first 10 min out: a backlog that stays
 * stored while it is measured (also workload 11's seed).
 */
export function futureJobs(count: number, firstIndex = 0): BenchJob[] {
  const firstDue = nowMs() + wallClockOffsetMs() + FIRST_DUE_AFTER_MS;
  const spacing = (DAY_MS - FIRST_DUE_AFTER_MS) / count;
  return makeJobs(count, (k) => firstDue + k * spacing, firstIndex);
}

function extraFigures(prefix: string, report: StorageReport): Figures {
  const figures: Figures = {};
  for (const [key, value] of Object.entries(report.extra ?? {})) figures[`${prefix}.${key}`] = value;
  return figures;
}

/** Workload 6: what a large backlog of future jobs costs to keep. */
export const storageWorkload: Workload = {
  name: 'storage',
  number: 6,
  title: 'Storage of future jobs',
  describe: (sizes) =>
    `${formatNumber(sizes.storageJobs, 0)} jobs are bulk-inserted with due times spread evenly over the next day ` +
    `(the first 10 min out); no worker runs. MiB = the system's storage after inserting (Redis: sum of MEMORY USAGE ` +
    `over the trial's keys; PostgreSQL: pg_total_relation_size of every table in the system's schema; SQLite: the file ` +
    `plus its WAL, the WAL also on its own, at rest: once neither has changed size for 2 s and the WAL is within its ` +
    `64 MiB limit, which the checkpointer restores after 5 quiet seconds); ` +
    `bytes/job = (after − empty) ÷ jobs. Server RSS (right after the insert), restart-to-ready (SIGTERM until ` +
    `/healthz answers) and RSS after restart (3 s after ready: keeping the jobs, without the insert's garbage) apply ` +
    `only to systems with a server process of their own. One run (the figures are sizes, not timings; the insert rate is a by-product).`,
  figures: () => [
    { key: 'mib', label: 'MiB', better: 'lower', decimals: 1, headline: true, ratio: true },
    { key: 'walMiB', label: 'of it WAL MiB', better: 'lower', decimals: 1, headline: false, ratio: false },
    { key: 'bytesPerJob', label: 'bytes/job', better: 'lower', decimals: 0, headline: true, ratio: true },
    { key: 'insertJobsPerSec', label: 'insert jobs/s', better: 'higher', decimals: 0, headline: false, ratio: true },
    { key: 'serverRssMiB', label: 'server RSS MiB', better: 'lower', decimals: 1, headline: true, ratio: true },
    { key: 'restartToReadyMs', label: 'restart→ready ms', better: 'lower', decimals: 0, headline: true, ratio: true },
    { key: 'restartedRssMiB', label: 'RSS after restart MiB', better: 'lower', decimals: 1, headline: true, ratio: true },
  ],
  requiredTrialMethods: ['addBulk', 'measureStorage'],
  runsFor: () => 1,
  async measure(adapter, context) {
    const { sizes, log } = context;
    return withTrial(context, async (trial) => {
      const measureStorage = trial.measureStorage?.bind(trial);
      if (!measureStorage) throw new Error('measureStorage is required');
      const empty = await measureStorage();
      const jobs = futureJobs(sizes.storageJobs);
      const startedAt = nowMs();
      await addInBatches(adapter, trial, jobs);
      const insertSeconds = (nowMs() - startedAt) / 1000;
      const full = await measureStorage();
      log(`  ${adapter.name}: storage measured as ${full.method}`);
      const server = trial.measureServer ? await trial.measureServer() : undefined;
      return {
        mib: full.bytes / MIB,
        walMiB: full.extra?.walBytes === undefined ? Number.NaN : full.extra.walBytes / MIB,
        bytesPerJob: (full.bytes - empty.bytes) / sizes.storageJobs,
        insertJobsPerSec: sizes.storageJobs / insertSeconds,
        serverRssMiB: server ? server.rssBytes / MIB : Number.NaN,
        restartToReadyMs: server ? server.restartToReadyMs : Number.NaN,
        restartedRssMiB: server ? server.restartedRssBytes / MIB : Number.NaN,
        ...extraFigures('empty', empty),
        ...extraFigures('full', full),
      };
    });
  },
};

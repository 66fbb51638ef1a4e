import type { CallbackReceiverTarget, SystemAdapter } from '../adapter.js';
import { nowMs, sleep, wallClockOffsetMs } from '../clock.js';
import { JobStartRecorder } from '../job-recorder.js';
import { runLoadgen } from '../loadgen-client.js';
import { formatNumber } from '../table.js';
import type { CpuProfile } from '../profile-shares.js';
import { addInBatches, deadline, makeJobs, withTrial, type Figures, type MeasureContext, type Workload } from './workload.js';

/** Inserting must end at least this long before the due instant. */
const MINIMUM_MARGIN_MS = 1_000;
/** Rate assumed before this system has been measured at all: slow on purpose. */
const UNMEASURED_INSERT_RATE = 5_000;
/** After the due instant, a system gets this long per 10,000 jobs (and at least a minute). */
const DRAIN_MS_PER_10K_JOBS = 60_000;

/**
 * How far ahead to put the due instant: long enough to finish inserting, short
 * enough not to idle. Uses the slowest earlier burst insert of this product
 * (its variants insert the same way), else the product's slowest bulk enqueue
 * rate from workload 1, else a pessimistic default; then doubles it for
 * safety (inserting delayed jobs can be slower than immediate ones: BullMQ's
 * delayed adds also write the delayed sorted set).
 */
function chooseLeadMs(context: MeasureContext): number {
  const jobs = context.sizes.burstJobs;
  const earlierInserts = context.priorFigures('burst', 'product').map((figures) => figures.insertSeconds);
  const bulkRates = context.priorFigures('enqueue', 'product').map((figures) => figures.bulkJobsPerSec);
  let expectedInsertMs: number;
  if (earlierInserts.length > 0) expectedInsertMs = Math.max(...earlierInserts) * 1000;
  else if (bulkRates.length > 0) expectedInsertMs = (jobs / Math.min(...bulkRates)) * 1000;
  else expectedInsertMs = (jobs / UNMEASURED_INSERT_RATE) * 1000;
  return 2 * expectedInsertMs + MINIMUM_MARGIN_MS;
}

const RAW_REQUEST_TIMEOUT_MS = 10_000;

/**
 * The raw HTTP ceiling: the load generator (bench/loadgen.ts, its own Node process, an undici
 * keep-alive Pool with one connection per concurrent request, as the server's delivery pool)
 * posts as many envelope-shaped requests as the burst has jobs to the trial's own receiver, at
 * the burst's concurrency. Sender in a child process, receiver in this one: the arrangement
 * the server's callbacks travel, without the scheduler.
 */
async function rawRequestsPerSec(target: CallbackReceiverTarget, requests: number, concurrency: number): Promise<number> {
  const result = await runLoadgen({ ...target, requests, concurrency, timeoutMs: RAW_REQUEST_TIMEOUT_MS });
  if (result.errors > 0) throw new Error(`raw HTTP ceiling: ${result.errors} requests failed: ${JSON.stringify(result.statusCounts)}`);
  return result.requestsPerSec;
}

/** A run whose insert ended too close to the due instant, with how long the insert took. */
interface Overran {
  overranAfterMs: number;
}

export interface BurstOptions {
  /** Measure the raw HTTP ceiling first (systems with a callback receiver). */
  readonly rawCeiling: boolean;
  /** Profile the server (`trial.profileServer`) from just before T until every job completed. */
  readonly profile: boolean;
}

export interface BurstResult {
  figures: Figures;
  profile?: CpuProfile;
}

/** Server CPU is read from just before T, after the inserts' work has settled. */
const CPU_WINDOW_LEAD_MS = 200;

async function measureOnce(adapter: SystemAdapter, context: MeasureContext, leadMs: number, options: BurstOptions): Promise<BurstResult | Overran> {
  const { burstJobs, workerConcurrency } = context.sizes;
  return withTrial(context, async (trial) => {
    // Before the worker starts, so the receiver reports none of these requests as job starts.
    const rawPerSec =
      options.rawCeiling && trial.callbackReceiver ? await rawRequestsPerSec(await trial.callbackReceiver(), burstJobs, workerConcurrency) : Number.NaN;
    const recorder = new JobStartRecorder(burstJobs);
    await trial.startWorker(recorder.onJobStart, { concurrency: workerConcurrency });
    const offset = wallClockOffsetMs();
    const scheduledAt = nowMs();
    // A whole wall-clock millisecond, as in the lateness rounds (lateness-round.ts): T→first
    // would otherwise count the adapters' rounding up of a fraction.
    const wallDue = Math.ceil(scheduledAt + leadMs + offset);
    const dueAt = wallDue - offset;
    await addInBatches(adapter, trial, makeJobs(burstJobs, () => wallDue));
    const insertedAt = nowMs();
    if (insertedAt > dueAt - MINIMUM_MARGIN_MS) return { overranAfterMs: insertedAt - scheduledAt };
    const profiler = options.profile ? await trial.profileServer!() : undefined;
    await sleep(Math.max(0, dueAt - CPU_WINDOW_LEAD_MS - nowMs()));
    await profiler?.start();
    const cpuBefore = trial.serverCpuSeconds?.() ?? Number.NaN;
    const signal = deadline(leadMs + Math.max(60_000, (burstJobs / 10_000) * DRAIN_MS_PER_10K_JOBS));
    await recorder.waitForStarted(signal);
    const seconds = (recorder.lastStartMs() - dueAt) / 1000;
    const early = Array.from(recorder.startedAtMs).filter((startedAt) => startedAt < dueAt).length;
    // Until every job's outcome is written: the server's whole work per job.
    await trial.waitForCompletions(burstJobs, signal);
    const cpuSeconds = (trial.serverCpuSeconds?.() ?? Number.NaN) - cpuBefore;
    const profile = await profiler?.stop();
    const figures: Figures = {
      jobsPerSec: burstJobs / seconds,
      seconds,
      firstMs: recorder.firstStartMs() - dueAt,
      early,
      insertSeconds: (insertedAt - scheduledAt) / 1000,
      rawPerSec,
      ofRaw: burstJobs / seconds / rawPerSec,
      cpuUsPerJob: (cpuSeconds * 1e6) / burstJobs,
    };
    return { figures, profile };
  });
}

/**
 * One burst of `sizes.burstJobs`, retried once with a longer lead when the insert overran it
 * (workloads 5 and 12).
 */
export async function runBurst(adapter: SystemAdapter, context: MeasureContext, options: BurstOptions): Promise<BurstResult> {
  let leadMs = chooseLeadMs(context);
  for (let attempt = 1; attempt <= 2; attempt += 1) {
    const outcome = await measureOnce(adapter, context, leadMs, options);
    if (!('overranAfterMs' in outcome)) return outcome;
    // The insert's own duration is now known: the retry's lead follows the same rule with it.
    const retryLeadMs = Math.max(2 * leadMs, 2 * outcome.overranAfterMs + MINIMUM_MARGIN_MS);
    context.log(
      `  ${adapter.name}: inserting took ${(outcome.overranAfterMs / 1000).toFixed(1)} s, past the ` +
        `${(leadMs / 1000).toFixed(1)} s lead; retrying with a ${(retryLeadMs / 1000).toFixed(1)} s lead`,
    );
    leadMs = retryLeadMs;
  }
  throw new Error('inserting overran the due instant twice');
}

/** Workload 5: many jobs due at the same instant. */
export const burstWorkload: Workload = {
  name: 'burst',
  number: 5,
  title: 'Burst: jobs due at one instant',
  describe: (sizes) =>
    `Worker already running (concurrency ${sizes.workerConcurrency}). ${formatNumber(sizes.burstJobs, 0)} jobs are ` +
    `bulk-inserted, all due at one instant T chosen far enough ahead to finish inserting (twice the expected insert ` +
    `time + 1 s; a run whose insert ends less than 1 s before T is discarded and retried once with a lead of twice ` +
    `that insert's time + 1 s). ` +
    `seconds = last handler start − T; jobs/s = jobs ÷ seconds; "first" = first handler start − T. ` +
    `For systems that deliver by HTTP callback to a receiver in the bench process, the raw HTTP ceiling is measured ` +
    `first, in the same trial against the same receiver: bench/loadgen.ts (its own Node process, undici keep-alive ` +
    `Pool, one connection per concurrent request) posts ${formatNumber(sizes.burstJobs, 0)} callback-shaped JSON bodies at ` +
    `concurrency ${sizes.workerConcurrency}; raw req/s = requests ÷ first send to last response; "of raw" = jobs/s ÷ raw req/s. ` +
    `For systems with a server process of their own, "server CPU µs/job" = its user + system CPU time (from /proc) from ` +
    `${CPU_WINDOW_LEAD_MS} ms before T until every job is counted completed, ÷ jobs.`,
  figures: () => [
    { key: 'jobsPerSec', label: 'jobs/s', better: 'higher', decimals: 0, headline: true, ratio: true },
    { key: 'seconds', label: 'T→last s', better: 'lower', decimals: 2, headline: true, ratio: true },
    { key: 'firstMs', label: 'T→first ms', better: 'lower', decimals: 1, headline: false, ratio: false },
    { key: 'early', label: 'early', better: 'lower', decimals: 0, headline: false, ratio: false },
    { key: 'insertSeconds', label: 'insert s', better: 'lower', decimals: 2, headline: false, ratio: false },
    { key: 'rawPerSec', label: 'raw HTTP req/s', better: 'higher', decimals: 0, headline: false, ratio: false },
    // Already a ratio, to the machine's limit rather than to a peer.
    { key: 'ofRaw', label: 'of raw', better: 'higher', decimals: 2, headline: true, ratio: false },
    // The server's own work per job, beside the throughput it allowed.
    { key: 'cpuUsPerJob', label: 'server CPU µs/job', better: 'lower', decimals: 0, headline: false, ratio: false },
  ],
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions'],
  // The slowest workload (a 100,000-job insert plus its drain for every
  // system); one run keeps the full bench inside its time budget.
  runsFor: () => 1,
  async measure(adapter, context) {
    return (await runBurst(adapter, context, { rawCeiling: true, profile: false })).figures;
  },
};

import type { Sizes } from '../sizes.js';
import { JobStartRouter } from '../job-recorder.js';
import { formatNumber } from '../table.js';
import { LATENESS_FIGURES, startLatenessRound } from './lateness-round.js';
import { withTrial, type Figures, type MeasureContext, type Workload } from './workload.js';

/** Insert rate assumed before this system has inserted anything delayed: slow on purpose. */
const UNMEASURED_INSERT_RATE = 1_000;
/** Lead = this × the expected insert time + `LEAD_MARGIN_MS`. */
const LEAD_SAFETY = 1.5;
const LEAD_MARGIN_MS = 1_000;
/** From the warm-up's last due time to the measured round's first. */
const WARMUP_GAP_MS = 500;

const jobsOf = (sizes: Sizes): number => sizes.sustainedJobsPerSec * sizes.sustainedSeconds;

/**
 * The lead: all jobs are inserted before the first falls due, so the figure measures firing
 * under load, not inserting. Named jobs go in one HTTP request each (2,300/s in --quick runs,
 * so 60,000 take about 26 s): the expected time comes from this system's slowest earlier
 * insert here, else its workload 4 insert rate, else a pessimistic 1,000 jobs/s.
 */
function chooseLeadMs(context: MeasureContext): number {
  const { sizes } = context;
  const jobs = jobsOf(sizes);
  const earlier = context.priorFigures('sustained', 'system').map((figures) => figures.insertMs);
  const latenessRates = context.priorFigures('lateness', 'system').map((figures) => sizes.latenessJobs / (figures.insertMs / 1000));
  let expectedMs: number;
  if (earlier.length > 0) expectedMs = Math.max(...earlier);
  else if (latenessRates.length > 0) expectedMs = (jobs / Math.min(...latenessRates)) * 1000;
  else expectedMs = (jobs / UNMEASURED_INSERT_RATE) * 1000;
  return Math.max(sizes.latenessLeadMs, LEAD_SAFETY * expectedMs + LEAD_MARGIN_MS);
}

/** Workload 10: callback lateness while jobs fall due at a sustained rate. */
export const sustainedWorkload: Workload = {
  name: 'sustained',
  number: 10,
  title: 'Fire lateness at a sustained rate',
  describe: (sizes) =>
    `Worker already running (concurrency ${sizes.workerConcurrency}). ${formatNumber(jobsOf(sizes), 0)} jobs ` +
    `(${formatNumber(sizes.sustainedJobsPerSec, 0)} jobs/s for ${sizes.sustainedSeconds} s) are bulk-inserted with due ` +
    `times spread evenly over ${sizes.sustainedSeconds} s, all before the first falls due; then ` +
    `${formatNumber(sizes.sustainedJobsPerSec * sizes.sustainedWarmupSeconds, 0)} warm-up jobs at the same rate ` +
    `(${sizes.sustainedWarmupSeconds} s), due to end ${WARMUP_GAP_MS} ms before the first measured one, are inserted, fired ` +
    `and not counted: the figures are a server's steady state, not a fresh or idle process's first seconds. The lead is ` +
    `${LEAD_SAFETY}× the expected insert time + ${LEAD_MARGIN_MS / 1000} s (from the system's slowest earlier insert in this ` +
    `workload, else its workload 4 insert rate, else ${formatNumber(UNMEASURED_INSERT_RATE, 0)} jobs/s), at least ` +
    `${sizes.latenessLeadMs} ms, plus room for the warm-up's insert and window. Figures as in workload 4; "lead ms" is the ` +
    `whole lead used, "insert ms" how long inserting the measured jobs took, "due before inserted" how many due times ` +
    `passed before it ended (0 when the lead held).`,
  figures: () => [...LATENESS_FIGURES, { key: 'leadMs', label: 'lead ms', better: 'lower', decimals: 0, headline: false, ratio: false }],
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes, log } = context;
    const leadMs = chooseLeadMs(context);
    return withTrial(context, async (trial): Promise<Figures> => {
      const router = new JobStartRouter();
      await trial.startWorker(router.onJobStart, { concurrency: sizes.workerConcurrency });
      // The measured jobs go in first, then the warm-up's (not counted: the same rate for a
      // few seconds), due just before them, so the measured round finds a server that has
      // been firing (see Sizes.sustainedWarmupSeconds). A warm-up fired before a long lead
      // left the server idle for a minute or more before the round: V8's memory reducer shrank
      // its heap meanwhile, and the round measured the heap growing back (docs/benchmarks.md,
      // "Bursts after an idle minute").
      const warmupJobs = sizes.sustainedJobsPerSec * sizes.sustainedWarmupSeconds;
      const warmupWindowMs = sizes.sustainedWarmupSeconds * 1000;
      const warmupInsertMs = Math.max(sizes.latenessLeadMs, (leadMs * warmupJobs) / jobsOf(sizes));
      const totalLeadMs = leadMs + warmupInsertMs + warmupWindowMs + WARMUP_GAP_MS;
      const plan = { jobs: jobsOf(sizes), windowMs: sizes.sustainedSeconds * 1000, leadMs: totalLeadMs, firstIndex: warmupJobs };
      const measured = await startLatenessRound(adapter, trial, router, plan, log);
      const warmupPlan = { jobs: warmupJobs, windowMs: warmupWindowMs, firstDueAtMs: measured.firstDueAtMs - WARMUP_GAP_MS - warmupWindowMs };
      await (await startLatenessRound(adapter, trial, router, warmupPlan, log)).finish();
      const figures = await measured.finish();
      log(`  ${adapter.name}: inserted ${formatNumber(plan.jobs, 0)} jobs in ${(figures.insertMs / 1000).toFixed(1)} s (lead ${(totalLeadMs / 1000).toFixed(1)} s)`);
      return { ...figures, leadMs: totalLeadMs };
    });
  },
};

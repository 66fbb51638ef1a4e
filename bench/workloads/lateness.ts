import { JobStartRouter } from '../job-recorder.js';
import { formatNumber } from '../table.js';
import { LATENESS_FIGURES, runLatenessRound } from './lateness-round.js';
import { withTrial, type Workload } from './workload.js';

/** Workload 4: how close to their due time delayed jobs fire. */
export const latenessWorkload: Workload = {
  name: 'lateness',
  number: 4,
  title: 'Fire lateness of delayed jobs',
  describe: (sizes) =>
    `Worker already running (concurrency ${sizes.workerConcurrency}). ${formatNumber(sizes.latenessJobs, 0)} jobs are ` +
    `bulk-inserted with due times spread evenly over ${sizes.latenessWindowMs / 1000} s, the first one ` +
    `${sizes.latenessLeadMs} ms after scheduling starts (time to finish inserting). ` +
    `Lateness = handler start − due time, ms, nearest-rank percentiles; "early" counts handlers that started ` +
    `before their due time (negative lateness); "due before inserted" counts jobs whose due time passed before ` +
    `the insert ended (0 unless inserting overran the lead). "clock drift" is how far the OS wall clock moved ` +
    `against the harness clock during the run.`,
  figures: () => LATENESS_FIGURES,
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes, log } = context;
    return withTrial(context, async (trial) => {
      const router = new JobStartRouter();
      await trial.startWorker(router.onJobStart, { concurrency: sizes.workerConcurrency });
      const plan = { jobs: sizes.latenessJobs, windowMs: sizes.latenessWindowMs, leadMs: sizes.latenessLeadMs };
      return runLatenessRound(adapter, trial, router, plan, log);
    });
  },
};

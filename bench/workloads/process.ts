import { collectGarbage, nowMs } from '../clock.js';
import { JobStartRecorder } from '../job-recorder.js';
import { formatNumber } from '../table.js';
import { addInBatches, deadline, makeJobs, withTrial, type FigureSpec, type Workload } from './workload.js';

/** Worker concurrencies measured, each on a fresh queue. */
const CONCURRENCIES = [1, 50] as const;

/** Generous: even 100 jobs/s finishes 20,000 jobs inside it. */
const PROCESS_TIMEOUT_MS = 300_000;

function figureKey(concurrency: number): string {
  return `c${concurrency}JobsPerSec`;
}

/** Workload 2: draining a pre-filled queue of no-op jobs. */
export const processWorkload: Workload = {
  name: 'process',
  number: 2,
  title: 'Process a pre-filled queue',
  describe: (sizes) =>
    `${formatNumber(sizes.processJobs, 0)} immediate no-op jobs are bulk-inserted before the worker starts. ` +
    `jobs/s = jobs ÷ time from calling startWorker (worker start-up included) until the handler has run ` +
    `for every job AND the system reports all of them completed (its own completion bookkeeping included). ` +
    `Measured at worker concurrency ${CONCURRENCIES.join(' and ')}, each on a fresh queue.`,
  figures: () => CONCURRENCIES.map(
    (concurrency): FigureSpec => ({
      key: figureKey(concurrency),
      label: `c=${concurrency} jobs/s`,
      better: 'higher',
      decimals: 0,
      headline: true,
      ratio: true,
    }),
  ),
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes } = context;
    const figures: Record<string, number> = {};
    for (const concurrency of CONCURRENCIES) {
      figures[figureKey(concurrency)] = await withTrial(context, async (trial) => {
        await addInBatches(adapter, trial, makeJobs(sizes.processJobs));
        const recorder = new JobStartRecorder(sizes.processJobs);
        const signal = deadline(PROCESS_TIMEOUT_MS);
        collectGarbage();
        const startedAt = nowMs();
        await trial.startWorker(recorder.onJobStart, { concurrency });
        await recorder.waitForStarted(signal);
        await trial.waitForCompletions(sizes.processJobs, signal);
        return sizes.processJobs / ((nowMs() - startedAt) / 1000);
      });
    }
    return figures;
  },
};

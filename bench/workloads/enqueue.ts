import { collectGarbage, nowMs } from '../clock.js';
import type { BenchJob } from '../adapter.js';
import { formatNumber } from '../table.js';
import { addInBatches, makeJobs, withTrial, type Workload } from './workload.js';

/** Workload 1: how fast a producer can store immediate jobs, singly and in bulk. */
export const enqueueWorkload: Workload = {
  name: 'enqueue',
  number: 1,
  title: 'Enqueue',
  describe: (sizes) =>
    `Immediate jobs into an empty queue with no worker running. ` +
    `Single: ${formatNumber(sizes.enqueueJobs, 0)} jobs through the single-job API, ${sizes.singleAddChunk} concurrent adds awaited together, chunk after chunk, ` +
    `after ${formatNumber(sizes.enqueueWarmupJobs, 0)} untimed adds the same way in the same trial (cold code, client and server, is not the rate a running producer sees). ` +
    `Bulk: ${formatNumber(sizes.enqueueBulkJobs, 0)} jobs through the bulk API, one batch (the system's bulk batch size) awaited after another. ` +
    `jobs/s = jobs ÷ time from the first call to the last resolved promise.`,
  figures: () => [
    { key: 'singleJobsPerSec', label: 'single jobs/s', better: 'higher', decimals: 0, headline: true, ratio: true },
    { key: 'bulkJobsPerSec', label: 'bulk jobs/s', better: 'higher', decimals: 0, headline: true, ratio: true },
  ],
  requiredTrialMethods: ['add', 'addBulk'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes } = context;
    const warmupJobs = makeJobs(sizes.enqueueWarmupJobs);
    const jobs = makeJobs(sizes.enqueueJobs, undefined, sizes.enqueueWarmupJobs);
    const bulkJobs = makeJobs(sizes.enqueueBulkJobs);

    const singleSeconds = await withTrial(context, async (trial) => {
      const addInChunks = async (list: readonly BenchJob[]): Promise<void> => {
        for (let start = 0; start < list.length; start += sizes.singleAddChunk) {
          await Promise.all(list.slice(start, start + sizes.singleAddChunk).map((job) => trial.add(job)));
        }
      };
      await addInChunks(warmupJobs);
      collectGarbage();
      const startedAt = nowMs();
      await addInChunks(jobs);
      return (nowMs() - startedAt) / 1000;
    });

    const bulkSeconds = await withTrial(context, async (trial) => {
      collectGarbage();
      const startedAt = nowMs();
      await addInBatches(adapter, trial, bulkJobs);
      return (nowMs() - startedAt) / 1000;
    });

    return {
      singleJobsPerSec: jobs.length / singleSeconds,
      bulkJobsPerSec: bulkJobs.length / bulkSeconds,
    };
  },
};

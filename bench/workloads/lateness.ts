import { nowMs, wallClockOffsetMs } from '../clock.js';
import { JobStartRecorder } from '../job-recorder.js';
import { summarize } from '../stats.js';
import { formatNumber } from '../table.js';
import { addInBatches, deadline, makeJobs, withTrial, type Workload } from './workload.js';

/** Slack after the last due time before the run is declared failed. */
const LATENESS_SLACK_MS = 60_000;

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
    `before their due time (negative lateness). "clock drift" is how far the OS wall clock moved against the ` +
    `harness clock during the run.`,
  figures: [
    { key: 'p50Ms', label: 'p50 ms', better: 'lower', decimals: 1, headline: true, ratio: true },
    { key: 'p95Ms', label: 'p95 ms', better: 'lower', decimals: 1, headline: false, ratio: true },
    { key: 'p99Ms', label: 'p99 ms', better: 'lower', decimals: 1, headline: true, ratio: true },
    { key: 'maxMs', label: 'max ms', better: 'lower', decimals: 1, headline: false, ratio: true },
    { key: 'minMs', label: 'min ms', better: 'higher', decimals: 1, headline: false, ratio: false },
    { key: 'early', label: 'early', better: 'lower', decimals: 0, headline: true, ratio: false },
    { key: 'insertMs', label: 'insert ms', better: 'lower', decimals: 0, headline: false, ratio: false },
    { key: 'clockDriftMs', label: 'clock drift ms', better: 'lower', decimals: 2, headline: false, ratio: false },
  ],
  requiredTrialMethods: ['addBulk', 'startWorker', 'waitForCompletions'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes, log } = context;
    return withTrial(context, async (trial) => {
      const recorder = new JobStartRecorder(sizes.latenessJobs);
      await trial.startWorker(recorder.onJobStart, { concurrency: sizes.workerConcurrency });
      // Due times are planned on the harness clock and handed to the system on
      // the wall clock it compares against (rule 5 in adapter.ts).
      const offsetAtStart = wallClockOffsetMs();
      const scheduledAt = nowMs();
      const firstDue = scheduledAt + sizes.latenessLeadMs;
      const spacing = sizes.latenessWindowMs / sizes.latenessJobs;
      const dueAt = (index: number): number => firstDue + index * spacing;
      await addInBatches(adapter, trial, makeJobs(sizes.latenessJobs, (index) => dueAt(index) + offsetAtStart));
      const insertMs = nowMs() - scheduledAt;
      if (insertMs > sizes.latenessLeadMs) {
        log(`  ${adapter.name}: inserting took ${insertMs.toFixed(0)} ms, longer than the ${sizes.latenessLeadMs} ms lead; early jobs include insert time`);
      }
      const signal = deadline(sizes.latenessLeadMs + sizes.latenessWindowMs + LATENESS_SLACK_MS);
      await recorder.waitForStarted(signal);
      await trial.waitForCompletions(sizes.latenessJobs, signal);
      const clockDriftMs = wallClockOffsetMs() - offsetAtStart;
      const lateness = Array.from(recorder.startedAtMs, (startedAt, index) => startedAt - dueAt(index));
      const summary = summarize(lateness);
      return {
        p50Ms: summary.p50,
        p95Ms: summary.p95,
        p99Ms: summary.p99,
        maxMs: summary.max,
        minMs: summary.min,
        early: lateness.filter((value) => value < 0).length,
        insertMs,
        clockDriftMs,
      };
    });
  },
};

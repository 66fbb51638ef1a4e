import { collectGarbage, nowMs, sleep } from '../clock.js';
import { JobStartRecorder } from '../job-recorder.js';
import { summarize } from '../stats.js';
import { formatNumber } from '../table.js';
import { deadline, withTrial, type Workload } from './workload.js';

/** Polling systems may hold a job for a whole interval; 1,000 of them still fit. */
const LATENCY_TIMEOUT_MS = 180_000;

/** Workload 3: add → handler-start latency of immediate jobs on an idle, running worker. */
export const latencyWorkload: Workload = {
  name: 'latency',
  number: 3,
  title: 'Add → handler-start latency',
  describe: (sizes) =>
    `Worker already running (concurrency ${sizes.workerConcurrency}). ${sizes.latencyWarmupJobs} warm-up jobs are ` +
    `added and awaited one by one and not recorded. Then ${formatNumber(sizes.latencySamples, 0)} immediate jobs are ` +
    `added one at a time: each add is awaited before the next begins, and adds start at least ` +
    `${sizes.latencyAddSpacingMs} ms apart (≤ ${formatNumber(1000 / sizes.latencyAddSpacingMs, 0)} jobs/s, so no worker falls behind); ` +
    `the handler is not waited for. ` +
    `Latency = handler start − the moment just before the add call, both on the harness clock ` +
    `(performance.timeOrigin + performance.now(), one process). Nearest-rank percentiles, ms.`,
  figures: () => [
    { key: 'p50Ms', label: 'p50 ms', better: 'lower', decimals: 2, headline: true, ratio: true },
    { key: 'p95Ms', label: 'p95 ms', better: 'lower', decimals: 2, headline: false, ratio: true },
    { key: 'p99Ms', label: 'p99 ms', better: 'lower', decimals: 2, headline: true, ratio: true },
    { key: 'maxMs', label: 'max ms', better: 'lower', decimals: 2, headline: false, ratio: true },
  ],
  requiredTrialMethods: ['add', 'startWorker', 'waitForCompletions'],
  runsFor: (requested) => requested,
  async measure(adapter, context) {
    const { sizes } = context;
    const warmup = sizes.latencyWarmupJobs;
    const total = warmup + sizes.latencySamples;
    return withTrial(context, async (trial) => {
      const recorder = new JobStartRecorder(total);
      const signal = deadline(LATENCY_TIMEOUT_MS);
      await trial.startWorker(recorder.onJobStart, { concurrency: sizes.workerConcurrency });
      for (let index = 0; index < warmup; index += 1) {
        await trial.add({ index });
        await recorder.waitForStarted(signal, index + 1);
      }
      collectGarbage();
      const addedAtMs = new Float64Array(total);
      for (let index = warmup; index < total; index += 1) {
        addedAtMs[index] = nowMs();
        await trial.add({ index });
        const untilNextAdd = addedAtMs[index] + sizes.latencyAddSpacingMs - nowMs();
        if (untilNextAdd > 0) await sleep(untilNextAdd);
      }
      await recorder.waitForStarted(signal);
      await trial.waitForCompletions(total, signal);
      const latencies = new Float64Array(sizes.latencySamples);
      for (let index = warmup; index < total; index += 1) {
        latencies[index - warmup] = recorder.startedAtMs[index] - addedAtMs[index];
      }
      const summary = summarize(latencies);
      return { p50Ms: summary.p50, p95Ms: summary.p95, p99Ms: summary.p99, maxMs: summary.max };
    });
  },
};

/**
 * How big each workload is. `fullSizes` are the published figures; `quickSizes`
 * only prove the harness works end to end and assert nothing about speed.
 */
export interface Sizes {
  /** Workload 1: jobs per single-add measurement. */
  readonly enqueueJobs: number;
  /**
   * Workload 1: jobs per bulk measurement, in batches of the system's bulk size. 20,000 (20
   * batches of 1,000) measured mostly a fresh Chime server's first requests: the first batch
   * took 254 ms, the 30th 10 ms (scripts/measure-bulk-batches.mjs), while the peers' client
   * code had warmed up in the same process during the single adds. 100,000 measures the rate.
   */
  readonly enqueueBulkJobs: number;
  /** Workload 1: single adds are awaited in chunks of this many concurrent calls. */
  readonly singleAddChunk: number;
  /**
   * Workload 1: single adds made in the same trial before the timed ones, not timed. The first
   * 200 chunks of a fresh trial ran at 4,181 jobs/s and the next 400 at 5,847 on chime-sqlite
   * (batched SDK 12,407 and 27,522; BullMQ 17,407 and 23,823): every system's code, client and
   * server, is cold at first. As workloads 3 and 10 do, the figure is the warm rate.
   */
  readonly enqueueWarmupJobs: number;
  /** Workload 2: pre-filled jobs per processing measurement. */
  readonly processJobs: number;
  /** Workload 3: measured add→start samples (after `latencyWarmupJobs`). */
  readonly latencySamples: number;
  /** Workload 3: jobs run before sampling so connections and caches are warm. */
  readonly latencyWarmupJobs: number;
  /**
   * Workload 3: adds start at least this far apart. Back-to-back awaited
   * BullMQ adds ran at 3,300–3,700/s on the 2-core bench machine, about as
   * fast as its worker drains them, so a backlog formed and the figure
   * measured queueing (unpaced --quick run: p50 12.4 ms; paced: 1.3 ms).
   */
  readonly latencyAddSpacingMs: number;
  /** Workload 4: jobs, spread evenly over `latenessWindowMs`. */
  readonly latenessJobs: number;
  readonly latenessWindowMs: number;
  /**
   * Workload 4: gap between scheduling and the first due time, to finish inserting. Longer
   * than the slowest insert (2,000 HTTP creates took up to 1.6 s on 2026-12-02): jobs falling
   * due while creates still arrive measure the inserts' load, not the timer.
   */
  readonly latenessLeadMs: number;
  /** Workload 5: jobs due at one instant. */
  readonly burstJobs: number;
  /** Workload 6: future jobs whose storage is measured. */
  readonly storageJobs: number;
  /** Workload 7: requests for create and for get, for list, and load-generator concurrency. */
  readonly httpRequests: number;
  /**
   * A list request reads and serialises a page of 100 jobs, 10–50× the work of a create or a
   * get; 2,000 of them give stable percentiles without taking a third of the run.
   */
  readonly httpListRequests: number;
  readonly httpConcurrency: number;
  /**
   * Workload 7: requests of each operation sent first and not counted, by the same load
   * generator process (bench/loadgen.ts `--warmup-requests`): creates and gets, then lists.
   */
  readonly httpWarmupRequests: number;
  readonly httpListWarmupRequests: number;
  /**
   * Workload 9: named (Dapr-style) jobs in the store while the dashboard's reads are measured.
   * With `dashboardPlatformJobs`, 1,000,000 jobs in all (issue 11's figure). A million of each
   * would seed for about 8 minutes at the rates a --quick run saw (2,300 Dapr creates/s,
   * 15,600 platform jobs/s in bulk), half a million of each for about 4.
   */
  readonly dashboardJobs: number;
  /** Workload 9: platform task jobs (`/api/v1`) in the store beside them; a multiple of 500. */
  readonly dashboardPlatformJobs: number;
  /** Workload 9: requests per read kind, one at a time. */
  readonly dashboardReads: number;
  /** Workload 10: jobs due per second, spread evenly, for `sustainedSeconds`. */
  readonly sustainedJobsPerSec: number;
  readonly sustainedSeconds: number;
  /**
   * Workload 10: seconds of jobs at the same rate fired first and not counted, so the figure
   * is the steady state of a server that has been firing, not a fresh process's first
   * seconds (its JIT compiling the firing path, its connections opening).
   */
  readonly sustainedWarmupSeconds: number;
  /**
   * Workload 11: future jobs stored at each step of the scale series, ascending; one store
   * grows from step to step. `scaleLargestStep` is added by --scale-largest (see
   * `withScaleLargest`).
   */
  readonly scaleSteps: readonly number[];
  readonly scaleLargestStep: number;
  /**
   * Workload 11: lateness rounds at each step. One round's p99 of 2,000 jobs is its 20th
   * latest start, so one stall moves it; the step reports the median round.
   */
  readonly scaleRoundsPerStep: number;
  /** Worker concurrency for workloads 3–5 (handlers are no-ops, so only the system limits them). */
  readonly workerConcurrency: number;
}

export const fullSizes: Sizes = {
  enqueueJobs: 20_000,
  enqueueBulkJobs: 100_000,
  singleAddChunk: 100,
  enqueueWarmupJobs: 2_000,
  processJobs: 20_000,
  latencySamples: 1_000,
  latencyWarmupJobs: 5,
  latencyAddSpacingMs: 5,
  latenessJobs: 2_000,
  latenessWindowMs: 10_000,
  latenessLeadMs: 3_000,
  burstJobs: 100_000,
  storageJobs: 1_000_000,
  httpRequests: 10_000,
  httpListRequests: 2_000,
  httpConcurrency: 50,
  httpWarmupRequests: 2_000,
  httpListWarmupRequests: 200,
  dashboardJobs: 500_000,
  dashboardPlatformJobs: 500_000,
  dashboardReads: 200,
  sustainedJobsPerSec: 2_000,
  sustainedSeconds: 30,
  sustainedWarmupSeconds: 5,
  scaleSteps: [10_000, 1_000_000],
  scaleLargestStep: 10_000_000,
  scaleRoundsPerStep: 3,
  workerConcurrency: 50,
};

export const quickSizes: Sizes = {
  ...fullSizes,
  enqueueJobs: 2_000,
  enqueueBulkJobs: 2_000,
  enqueueWarmupJobs: 200,
  processJobs: 2_000,
  latencySamples: 200,
  latenessJobs: 500,
  latenessWindowMs: 3_000,
  // 2,000: six callback variants drain one each, and the CI smoke step stays near five minutes.
  burstJobs: 2_000,
  storageJobs: 20_000,
  httpRequests: 1_000,
  httpListRequests: 200,
  httpConcurrency: 10,
  httpWarmupRequests: 100,
  httpListWarmupRequests: 20,
  dashboardJobs: 20_000,
  dashboardPlatformJobs: 20_000,
  dashboardReads: 50,
  sustainedJobsPerSec: 200,
  sustainedSeconds: 3,
  sustainedWarmupSeconds: 1,
  scaleSteps: [1_000, 10_000],
  scaleLargestStep: 50_000,
  scaleRoundsPerStep: 1,
};

/** `sizes` with the scale series' largest step measured too (--scale-largest). */
export function withScaleLargest(sizes: Sizes): Sizes {
  return { ...sizes, scaleSteps: [...sizes.scaleSteps, sizes.scaleLargestStep] };
}

import type { BenchJob, BenchTrial, SystemAdapter, WorkloadName } from '../adapter.js';
import type { Sizes } from '../sizes.js';

/** One number a workload reports per run, e.g. "jobs/s at concurrency 50". */
export interface FigureSpec {
  /** Key in `Figures`; stable, used in the JSON results. */
  readonly key: string;
  /** Column header. */
  readonly label: string;
  readonly better: 'higher' | 'lower';
  readonly decimals: number;
  /** Shown in the summary table. */
  readonly headline: boolean;
  /**
   * Whether "Chime ÷ best peer" means something. Off for counts and for
   * values that can be zero or negative (early firings, lateness minimum).
   */
  readonly ratio: boolean;
}

/** Figure key → value for one run; NaN when the figure does not apply to the system. */
export type Figures = Record<string, number>;

export interface MeasureContext {
  readonly sizes: Sizes;
  /**
   * Opens a trial of the system being measured. The harness checks that it has
   * the optional methods this workload needs (`requiredTrialMethods`).
   */
  openTrial(): Promise<BenchTrial>;
  /**
   * Figures produced earlier in this process for a workload, by the system
   * being measured or by every system of the same product (its variants).
   */
  priorFigures(workload: WorkloadName, scope: 'system' | 'product'): readonly Figures[];
  /** Progress line on stderr. */
  log(message: string): void;
}

export interface Workload {
  readonly name: WorkloadName;
  /** Position in the report (1–7). */
  readonly number: number;
  readonly title: string;
  /** Exactly what is measured, with the sizes in effect. */
  describe(sizes: Sizes): string;
  /** The columns, for the sizes in effect (a series has a set per step). */
  figures(sizes: Sizes): readonly FigureSpec[];
  /** Methods of `BenchTrial` a system must implement to take part. */
  readonly requiredTrialMethods: readonly (keyof BenchTrial)[];
  /** How many runs to do when the user asked for `requested`. */
  runsFor(requested: number): number;
  /** One run for one system. Throws on failure; the harness records the error. */
  measure(adapter: SystemAdapter, context: MeasureContext): Promise<Figures>;
}

/** Opens a trial, runs `body`, and always closes the trial. */
export async function withTrial<T>(context: MeasureContext, body: (trial: BenchTrial) => Promise<T>): Promise<T> {
  const trial = await context.openTrial();
  try {
    return await body(trial);
  } finally {
    await trial.close();
  }
}

/** Sends `jobs` through `addBulk`, one batch of at most `bulkBatchSize` at a time. */
export async function addInBatches(adapter: SystemAdapter, trial: BenchTrial, jobs: readonly BenchJob[]): Promise<void> {
  for (let start = 0; start < jobs.length; start += adapter.bulkBatchSize) {
    await trial.addBulk(jobs.slice(start, start + adapter.bulkBatchSize));
  }
}

/**
 * Jobs `firstIndex`..`firstIndex + count - 1`, immediate or with due times from `dueAt(k)`,
 * k counting from 0 in either case.
 */
export function makeJobs(count: number, dueAt?: (k: number) => number, firstIndex = 0): BenchJob[] {
  return Array.from({ length: count }, (_, k) =>
    dueAt ? { index: firstIndex + k, dueAtMs: dueAt(k) } : { index: firstIndex + k },
  );
}

/** A deadline for waits inside a measurement (AbortSignal.timeout wants whole milliseconds). */
export function deadline(ms: number): AbortSignal {
  return AbortSignal.timeout(Math.ceil(ms));
}

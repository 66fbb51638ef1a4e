/**
 * One round of fire-lateness measurement, shared by workloads 4 (lateness), 10 (sustained)
 * and 11 (scale): jobs spread evenly over a window, inserted ahead of the first due time, and
 * how late each handler started. The worker is already running with a `JobStartRouter`.
 */
import type { BenchTrial, SystemAdapter } from '../adapter.js';
import { nowMs, wallClockOffsetMs } from '../clock.js';
import { JobStartRecorder, type JobStartRouter } from '../job-recorder.js';
import { summarize } from '../stats.js';
import { addInBatches, deadline, makeJobs, type FigureSpec, type Figures } from './workload.js';

/** Slack after the last due time before the run is declared failed. */
const LATENESS_SLACK_MS = 60_000;

interface RoundShape {
  readonly jobs: number;
  readonly windowMs: number;
  /**
   * Index of the round's first job. Rounds in one trial take consecutive indices, so this is
   * also how many of the trial's jobs completed before the round. @default 0
   */
  readonly firstIndex?: number;
}

/**
 * A round's jobs fall due either `leadMs` after inserting starts, or from `firstDueAtMs` on the
 * harness clock: for a round inserted after another whose due times it must precede (workload
 * 10's warm-up).
 */
export type LatenessPlan = RoundShape & ({ readonly leadMs: number } | { readonly firstDueAtMs: number });

/** A round whose jobs are inserted; `finish` waits for them and measures. */
export interface PendingLatenessRound {
  /** The round's first due time, harness clock. */
  readonly firstDueAtMs: number;
  finish(): Promise<Figures>;
}

/** The figures a round produces, for the workloads that report them as they are. */
export const LATENESS_FIGURES: readonly FigureSpec[] = [
  { key: 'p50Ms', label: 'p50 ms', better: 'lower', decimals: 1, headline: true, ratio: true },
  { key: 'p95Ms', label: 'p95 ms', better: 'lower', decimals: 1, headline: false, ratio: true },
  { key: 'p99Ms', label: 'p99 ms', better: 'lower', decimals: 1, headline: true, ratio: true },
  { key: 'maxMs', label: 'max ms', better: 'lower', decimals: 1, headline: false, ratio: true },
  { key: 'minMs', label: 'min ms', better: 'higher', decimals: 1, headline: false, ratio: false },
  { key: 'early', label: 'early', better: 'lower', decimals: 0, headline: true, ratio: false },
  { key: 'insertMs', label: 'insert ms', better: 'lower', decimals: 0, headline: false, ratio: false },
  { key: 'dueBeforeInserted', label: 'due before inserted', better: 'lower', decimals: 0, headline: false, ratio: false },
  { key: 'clockDriftMs', label: 'clock drift ms', better: 'lower', decimals: 2, headline: false, ratio: false },
];

export async function runLatenessRound(
  adapter: SystemAdapter,
  trial: BenchTrial,
  router: JobStartRouter,
  plan: LatenessPlan,
  log: (message: string) => void,
): Promise<Figures> {
  return (await startLatenessRound(adapter, trial, router, plan, log)).finish();
}

/** Inserts a round's jobs; the returned round's `finish` waits for them and measures. */
export async function startLatenessRound(
  adapter: SystemAdapter,
  trial: BenchTrial,
  router: JobStartRouter,
  plan: LatenessPlan,
  log: (message: string) => void,
): Promise<PendingLatenessRound> {
  const firstIndex = plan.firstIndex ?? 0;
  const recorder = new JobStartRecorder(plan.jobs);
  router.route(recorder, firstIndex);
  // Due times are handed to the system on the wall clock it compares against, and lateness is
  // measured on the harness clock (rule 5 in adapter.ts). They are whole wall-clock
  // milliseconds, the unit every system takes them in (ISO strings, epoch ms): a fractional due
  // time, which the adapters round up, counted the rounding as lateness, 0 to 1 ms and the
  // same for every job of a round (docs/benchmarks.md, "Due times in whole milliseconds").
  const offsetAtStart = wallClockOffsetMs();
  const scheduledAt = nowMs();
  const leadMs = 'leadMs' in plan ? plan.leadMs : plan.firstDueAtMs - scheduledAt;
  const firstWallDue = Math.ceil(scheduledAt + leadMs + offsetAtStart);
  const spacing = plan.windowMs / plan.jobs;
  const wallDueAt = (k: number): number => firstWallDue + Math.round(k * spacing);
  const dueAt = (k: number): number => wallDueAt(k) - offsetAtStart;
  await addInBatches(adapter, trial, makeJobs(plan.jobs, wallDueAt, firstIndex));
  const insertedAt = nowMs();
  const insertMs = insertedAt - scheduledAt;
  // Jobs falling due while inserts still arrive measure the inserts' load, not the timer.
  const dueBeforeInserted = Math.min(plan.jobs, Math.max(0, Math.ceil((insertedAt - dueAt(0)) / spacing)));
  if (dueBeforeInserted > 0) {
    log(`  ${adapter.name}: inserting took ${insertMs.toFixed(0)} ms, longer than the ${leadMs.toFixed(0)} ms lead; ${dueBeforeInserted} jobs fell due during it`);
  }
  return { firstDueAtMs: dueAt(0), finish: finishLatenessRound };

  async function finishLatenessRound(): Promise<Figures> {
    const signal = deadline(Math.max(0, dueAt(0) - nowMs()) + plan.windowMs + LATENESS_SLACK_MS);
    await recorder.waitForStarted(signal);
    await trial.waitForCompletions(firstIndex + plan.jobs, signal);
    const offsetAtEnd = wallClockOffsetMs();
    const endedAt = nowMs();
    const clockDriftMs = offsetAtEnd - offsetAtStart;
    // The wall clock can drift against the harness clock during a round (NTP slews it): 0.022 ms
    // in one round counted 16,080 starts a few microseconds "early" that were on time by the
    // wall clock the system compares with (docs/benchmarks.md, "Precise timers"). So each due
    // time is converted with the offset interpolated to its instant, not the one at the start.
    const wallDueOnHarnessClock = (k: number): number => {
      const at = dueAt(k);
      const share = (at - scheduledAt) / (endedAt - scheduledAt);
      return wallDueAt(k) - (offsetAtStart + clockDriftMs * Math.min(1, Math.max(0, share)));
    };
    const lateness = Array.from(recorder.startedAtMs, (startedAt, k) => startedAt - wallDueOnHarnessClock(k));
    const summary = summarize(lateness);
    return {
      p50Ms: summary.p50,
      p95Ms: summary.p95,
      p99Ms: summary.p99,
      maxMs: summary.max,
      minMs: summary.min,
      early: lateness.filter((value) => value < 0).length,
      insertMs,
      dueBeforeInserted,
      clockDriftMs,
    };
  }
}

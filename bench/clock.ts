/**
 * The one clock of the harness. `performance.timeOrigin + performance.now()`
 * is epoch milliseconds with sub-millisecond resolution that never jumps
 * backwards inside this process, so add times, due times and handler-start
 * times are all comparable.
 */
export function nowMs(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves after `ms`; rejects with the signal's reason if it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Polls `isDone` every `intervalMs` until it returns true. Used by adapters
 * whose only completion signal is a count in their storage.
 */
export async function pollUntil(
  isDone: () => Promise<boolean>,
  intervalMs: number,
  signal: AbortSignal,
): Promise<void> {
  while (!(await isDone())) {
    await sleep(intervalMs, signal);
  }
}

/** Runs a full collection if the process was started with --expose-gc. */
export function collectGarbage(): void {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc) gc();
}

/** Ticks `wallClockOffsetMs` compares at; see there. */
const OFFSET_SAMPLES = 5;

/**
 * `Date.now()` minus the harness clock, exact to microseconds: `Date.now()`
 * only has whole milliseconds, so wait for it to tick and compare at the
 * instant it does. Systems compare due times with the wall clock; adding this
 * offset to a harness-clock due time gives the wall-clock due time they need.
 *
 * A sample can only come out too small: the wall clock is at least at the
 * tick when the harness clock is read, and a process descheduled between the
 * two reads (common on a busy 2-core machine) reads the harness clock late.
 * One such sample put whole rounds of jobs up to 0.7 ms "early"
 * (docs/benchmarks.md, "Due times in whole milliseconds"), so this keeps the
 * largest of several ticks' samples (costs at most ~5 ms of spinning).
 */
export function wallClockOffsetMs(): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let sample = 0; sample < OFFSET_SAMPLES; sample++) {
    const before = Date.now();
    let ticked = Date.now();
    while (ticked === before) ticked = Date.now();
    best = Math.max(best, ticked - nowMs());
  }
  return best;
}

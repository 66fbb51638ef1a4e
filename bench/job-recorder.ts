import type { JobStartListener } from './adapter.js';
import { nowMs } from './clock.js';
import { CountWaiters } from './completion-counter.js';

/**
 * Stamps each job's handler start with the harness clock and lets a workload
 * wait until every expected job has started. Indices outside 0..size-1 and
 * second starts of the same index are counted, not stamped: the first start
 * is the one that matters for latency, and duplicates are reported.
 */
export class JobStartRecorder {
  /** Handler-start time per job index; NaN until that job has started. */
  readonly startedAtMs: Float64Array;
  private readonly starts = new CountWaiters(
    (count, target, signal) => `${count} of ${target} jobs started before the deadline (${String(signal.reason)})`,
  );
  private duplicateCount = 0;
  private strayCount = 0;

  constructor(readonly size: number) {
    this.startedAtMs = new Float64Array(size).fill(Number.NaN);
  }

  /** Pass this to `BenchTrial.startWorker`. */
  readonly onJobStart: JobStartListener = (index) => {
    const at = nowMs();
    if (!Number.isInteger(index) || index < 0 || index >= this.size) {
      this.strayCount += 1;
      return;
    }
    if (!Number.isNaN(this.startedAtMs[index])) {
      this.duplicateCount += 1;
      return;
    }
    this.startedAtMs[index] = at;
    this.starts.increment();
  };

  get started(): number {
    return this.starts.count;
  }

  get duplicates(): number {
    return this.duplicateCount;
  }

  get strays(): number {
    return this.strayCount;
  }

  /** Resolves once `target` distinct jobs have started (default: all). */
  waitForStarted(signal: AbortSignal, target = this.size): Promise<void> {
    return this.starts.waitFor(target, signal);
  }

  /** Latest handler start among the recorded jobs. */
  lastStartMs(): number {
    let last = Number.NEGATIVE_INFINITY;
    for (const at of this.startedAtMs) if (at > last) last = at;
    return last;
  }

  /** Earliest handler start among the recorded jobs. */
  firstStartMs(): number {
    let first = Number.POSITIVE_INFINITY;
    for (const at of this.startedAtMs) if (at < first) first = at;
    return first;
  }
}

/**
 * The one listener a worker is started with when several rounds of measurement share a trial:
 * each round adds its recorder with the range of indices its jobs take, and a job start goes
 * to the round whose range holds its index. Two rounds can be pending at once (workload 10
 * inserts its measured round before the warm-up that fires just ahead of it).
 */
export class JobStartRouter {
  private readonly routes: { readonly firstIndex: number; readonly recorder: JobStartRecorder }[] = [];

  /** Pass this to `BenchTrial.startWorker`. */
  readonly onJobStart: JobStartListener = (index) => {
    // Newest first: the round being measured is almost always the last one added.
    for (let i = this.routes.length - 1; i >= 0; i -= 1) {
      const { firstIndex, recorder } = this.routes[i]!;
      if (index >= firstIndex && index < firstIndex + recorder.size) return recorder.onJobStart(index - firstIndex);
    }
    // In no round's range: the latest round counts it as a stray.
    this.routes.at(-1)?.recorder.onJobStart(-1);
  };

  /** From now on, job `firstIndex + k` (k < recorder.size) is reported to `recorder` as job k. */
  route(recorder: JobStartRecorder, firstIndex = 0): void {
    this.routes.push({ firstIndex, recorder });
  }
}

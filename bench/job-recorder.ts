import type { JobStartListener } from './adapter.js';
import { nowMs } from './clock.js';

/**
 * Stamps each job's handler start with the harness clock and lets a workload
 * wait until every expected job has started. Indices outside 0..size-1 and
 * second starts of the same index are counted, not stamped: the first start
 * is the one that matters for latency, and duplicates are reported.
 */
export class JobStartRecorder {
  /** Handler-start time per job index; NaN until that job has started. */
  readonly startedAtMs: Float64Array;
  private startedCount = 0;
  private duplicateCount = 0;
  private strayCount = 0;
  private readonly waiters = new Set<{ target: number; resolve: () => void }>();

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
    this.startedCount += 1;
    for (const waiter of this.waiters) {
      if (this.startedCount >= waiter.target) {
        this.waiters.delete(waiter);
        waiter.resolve();
      }
    }
  };

  get started(): number {
    return this.startedCount;
  }

  get duplicates(): number {
    return this.duplicateCount;
  }

  get strays(): number {
    return this.strayCount;
  }

  /** Resolves once `target` distinct jobs have started (default: all). */
  waitForStarted(signal: AbortSignal, target = this.size): Promise<void> {
    if (this.startedCount >= target) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const waiter = {
        target,
        resolve: () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        this.waiters.delete(waiter);
        reject(new Error(`${this.startedCount} of ${target} jobs started before the deadline (${String(signal.reason)})`));
      };
      if (signal.aborted) {
        onAbort();
        return;
      }
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiters.add(waiter);
    });
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

import type { ClaimedJob } from '../core/types.js';
import type { JobOutcome, Store } from '../store/store.js';

/**
 * Batches attempt outcomes into one store call per event-loop turn: at 20k callbacks/s a
 * transaction per job would spend the time in commits, a batch spends it once.
 * A failed write is retried with the next batch; the jobs stay leased meanwhile.
 *
 * Flushes are at least `minIntervalMs` apart: jobs finishing at a steady rate (one or two a
 * turn) would otherwise get a transaction each, plus one for their starts. An outcome that
 * comes after a quiet spell is written in the next turn, as before.
 *
 * A task job's outcome is written in the next turn whatever the interval: its queue may have
 * a concurrency limit, whose place frees only once the outcome is written, and waiting out
 * the interval capped such a queue at one job per interval (concurrency 1, instant jobs:
 * 211 jobs/s with 5 ms, 1,306 now; scripts/measure-queue-limit.mjs, docs/benchmarks.md). The interval is for
 * callbacks, whose queue has no limit unless one is set on `$callbacks` itself.
 */
export class OutcomeWriter {
  private buffer: JobOutcome[] = [];
  /** The job each buffered outcome is about (same index), for the lifecycle events. */
  private jobs: (ClaimedJob | null)[] = [];
  /**
   * Prefetched jobs that started since the last flush (reserved → running) and have no
   * outcome buffered yet: a job's outcome carries its startedAt, so one that finishes before
   * its start is written needs no start write (quick jobs, the throughput case, skip a
   * transaction). Counting only the outcomes of the flush's own batch, a worker at 50 slots
   * wrote 19,000 of 20,000 starts it did not need: their outcomes waited for the next batch.
   */
  private starts: { owner: string; ids: Set<string>; at: number } | null = null;
  private flushing: Promise<void> | null = null;
  private scheduled = false;
  /** A buffered outcome is a task job's: the next flush does not wait out the interval. */
  private urgent = false;
  /** The pending flush, when it waits out `minIntervalMs`. */
  private delayedFlush: NodeJS.Timeout | null = null;
  /** When the last flush began (performance.now()). */
  private lastFlushAt = Number.NEGATIVE_INFINITY;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly onError: (error: unknown) => void,
    /** Called with each batch once it is written, and the job of each outcome (same index). */
    private readonly onWritten: (outcomes: readonly JobOutcome[], jobs: readonly (ClaimedJob | null)[]) => void = () => {},
    private readonly maxBatch = 1000,
    private readonly minIntervalMs = 0,
  ) {}

  add(outcome: JobOutcome, job: ClaimedJob | null = null): void {
    this.starts?.ids.delete(outcome.jobId);
    this.buffer.push(outcome);
    this.jobs.push(job);
    if (isTaskJob(job)) this.urgent = true;
    this.schedule();
  }

  private schedule(): void {
    if (this.urgent) this.cancelDelayedFlush();
    if (this.scheduled || this.flushing) return;
    this.scheduled = true;
    const wait = this.urgent ? 0 : this.minIntervalMs - (performance.now() - this.lastFlushAt);
    if (wait <= 0) {
      setImmediate(() => void this.flush());
      return;
    }
    this.delayedFlush = setTimeout(() => {
      this.delayedFlush = null;
      void this.flush();
    }, wait);
  }

  /**
   * Marks a reserved job running. Written in the next flush, before its outcomes; not at all
   * if the job's own outcome is added first (see `starts`).
   */
  markStarted(owner: string, jobId: string, at: number): void {
    // One write for the batch, at its latest start: a job still running shows a start up to
    // a flush interval late, never one before its due time. Its outcome carries the exact one.
    if (this.starts) {
      this.starts.ids.add(jobId);
      this.starts.at = Math.max(this.starts.at, at);
    } else this.starts = { owner, ids: new Set([jobId]), at };
    this.schedule();
  }

  get pending(): number {
    return this.buffer.length + (this.starts?.ids.size ?? 0);
  }

  /** Resolves once everything added so far is written. */
  async drain(): Promise<void> {
    while (this.pending > 0 || this.flushing || this.scheduled) {
      // Someone waits for these writes: no reason to wait out the interval.
      this.cancelDelayedFlush();
      if (!this.flushing && !this.scheduled) await this.flush();
      else await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    }
  }

  private async flush(): Promise<void> {
    this.scheduled = false;
    if (this.flushing || this.pending === 0) {
      this.wakeIdle();
      return;
    }
    this.lastFlushAt = performance.now();
    const batch = this.buffer.splice(0, this.maxBatch);
    const jobs = this.jobs.splice(0, batch.length);
    this.urgent = this.jobs.some(isTaskJob);
    const starts = this.starts;
    this.starts = null;
    const unfinished = starts ? [...starts.ids] : [];
    this.flushing = (async () => {
      if (starts && unfinished.length > 0) await this.store.startJobs(starts.owner, unfinished, starts.at);
      if (batch.length > 0) await this.store.recordOutcomes(batch);
    })()
      .then(() => this.onWritten(batch, jobs))
      .catch((error: unknown) => {
        this.buffer.unshift(...batch);
        this.jobs.unshift(...jobs);
        this.urgent ||= jobs.some(isTaskJob);
        if (starts) this.starts = this.starts ? { ...starts, ids: new Set([...starts.ids, ...this.starts.ids]) } : starts;
        this.onError(error);
        return new Promise<void>((resolve) => setTimeout(resolve, 100));
      })
      .finally(() => {
        this.flushing = null;
      });
    await this.flushing;
    if (this.pending > 0) this.schedule();
    this.wakeIdle();
  }

  private cancelDelayedFlush(): void {
    if (!this.delayedFlush) return;
    clearTimeout(this.delayedFlush);
    this.delayedFlush = null;
    this.scheduled = false;
  }

  private wakeIdle(): void {
    for (const wake of this.idleWaiters.splice(0)) wake();
  }
}

const isTaskJob = (job: ClaimedJob | null): boolean => job?.target === 'task';

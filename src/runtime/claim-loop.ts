/**
 * The claim loop of one lane: claims due jobs in batches up to its free slots plus its
 * prefetch, a lead time before they fall due, holds them (status `reserved`) and starts each
 * exactly at its `run_at` with a precise timer. When the store fails a claim it retries after
 * 125 ms, doubling to 1 s, with one retry pending at a time.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ClaimedJob } from '../core/types.js';
import type { Lane, PlanNext, Store } from '../store/store.js';
import { PrefetchSizer } from './prefetch-sizer.js';

/** How one lane claims. */
export interface ClaimLoopOptions {
  lane: Lane;
  owner: string;
  concurrency: number;
  /** Most jobs one claim takes. */
  batchSize: number;
  /**
   * Jobs claimed ahead (status `reserved`) beyond the free slots, started as slots free: fewer,
   * larger claims when handlers are quick (concurrency 1 runs one job at a time but claims
   * several). 0 claims only what starts at once.
   */
  prefetch: number;
  /**
   * When above `prefetch`, the prefetch follows the lane's pace up to this (prefetch-sizer.ts):
   * what the lane starts while a claim is out, so quick handlers do not wait for claims.
   */
  prefetchCeiling?: number;
  /** Claim jobs due up to this long from now (see DueWindowOptions.leadMs). */
  leadMs: number;
  /**
   * A claim also takes the jobs due this long after the lead (see DueWindowOptions, which
   * wakes for them no sooner). @default 0
   */
  claimSpanMs?: number;
  leaseMs: number;
  planNext: PlanNext;
}

/** The slots the claimed jobs start into (the dispatcher's running jobs). */
export interface JobSlots {
  /** How many jobs run now. */
  running(): number;
  /** Whether the job's target takes another job now (JobRunner.admit; absent: yes). */
  admit(job: ClaimedJob): boolean;
  /** A job claimed ahead of its due time will start then (JobRunner.prepare). */
  prepare?(job: ClaimedJob): void;
  /**
   * Starts a claimed job. A held job comes with `status: 'running'` and `startedAt` set, after
   * `markStarted`; a job claimed `running` comes as claimed.
   */
  start(job: ClaimedJob): void;
  /** A held job starts: the store learns it runs with the next outcome flush. */
  markStarted(jobId: string, at: number): void;
  onError(error: unknown, context: string): void;
}

/** Held jobs waiting for a busy target, per callback slot, beyond which claiming pauses. */
const MAX_BLOCKED_PER_SLOT = 20;
/** The first retry after a failed claim; it doubles up to `CLAIM_RETRY_MAX_MS`. */
const CLAIM_RETRY_MIN_MS = 125;
const CLAIM_RETRY_MAX_MS = 1000;

/** Claims due jobs of one lane, holds them, and starts each at its time. */
export class ClaimLoop {
  /** Between start() and stop(): claims and starts are allowed. */
  private enabled = false;
  /**
   * Claimed and not started (status `reserved` in the store): prefetched jobs waiting for a
   * slot, and jobs claimed ahead waiting for their due time.
   */
  private reserved: ClaimedJob[] = [];
  /** Held jobs that are due but whose target is at its cap (JobSlots.admit said no). */
  private blocked = 0;
  /** Wakes when the earliest held job falls due. */
  private startTimer: TimerHandle | null = null;
  private startTimerAt = Number.POSITIVE_INFINITY;
  private claimAfterStart = false;
  private claimingNow = false;
  private claimAgain = false;
  /**
   * After a failed claim (the store is down), the one pending retry, and its delay: doubling
   * up to a second, so an outage costs a few claims a second, not a claim per signal or timer.
   */
  private claimRetry: TimerHandle | null = null;
  private claimRetryMs = 0;
  /** The last claim filled its batch (or found no room): more may be due once a slot frees. */
  private backlog = false;
  /** Sizes the prefetch from the lane's pace; null: it stays `options.prefetch`. */
  private readonly sizer: PrefetchSizer | null;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: ClaimLoopOptions,
    private readonly slots: JobSlots,
  ) {
    const { prefetch, prefetchCeiling } = options;
    this.sizer = prefetchCeiling !== undefined && prefetchCeiling > prefetch ? new PrefetchSizer(prefetch, prefetchCeiling) : null;
  }

  /** Jobs to hold beyond the free slots, now. */
  get prefetch(): number {
    return this.sizer?.size ?? this.options.prefetch;
  }

  /** A claim in flight. */
  get claiming(): boolean {
    return this.claimingNow;
  }

  /** Held jobs that are due (waiting for a slot or their target), not those held ahead of their time. */
  heldDue(now: number): number {
    return this.reserved.filter((job) => job.runAt <= now).length;
  }

  /** Ids of the held jobs, in claim order. */
  get heldIds(): string[] {
    return this.reserved.map((job) => job.id);
  }

  start(): void {
    this.enabled = true;
  }

  /** Stops claiming and starting; returns the ids of the held jobs, which it lets go of. */
  stop(): string[] {
    this.enabled = false;
    this.startTimer?.cancel();
    this.claimRetry?.cancel();
    return this.reserved.splice(0).map((job) => job.id);
  }

  /** Ids of the held jobs of one schedule. */
  heldIdsOf(scheduleId: string): string[] {
    return this.reserved.filter((job) => job.scheduleId === scheduleId).map((job) => job.id);
  }

  /** Takes a held job out (a cancel reached it before it started); undefined if not held. */
  takeHeld(id: string): ClaimedJob | undefined {
    const index = this.reserved.findIndex((job) => job.id === id);
    return index >= 0 ? this.reserved.splice(index, 1)[0] : undefined;
  }

  /** The window reached due times: claim, unless a held job is about to start. */
  onDue(now: number): void {
    // A held job about to start goes first: on SQLite a claim blocks the loop for a few
    // hundred microseconds, and this claim is for jobs a lead time away anyway.
    if (this.startTimerAt - now < 2) this.claimAfterStart = true;
    else this.claim();
  }

  /** A slot freed: start held jobs, and claim if more waits (a backlog or a due time). */
  onSlotFreed(dueWaiting: boolean): void {
    this.startHeld();
    if (this.enabled && (this.backlog || dueWaiting)) this.claim();
  }

  /** Claims due jobs soon (one microtask later); a claim in flight runs once more instead. */
  claim(): void {
    // While a retry after a failure is pending, it is the next claim.
    if (!this.enabled || this.claimRetry) return;
    if (this.claimingNow) {
      this.claimAgain = true;
      return;
    }
    this.claimingNow = true;
    // One microtask later: handlers just started get to run first. On SQLite a claim runs
    // synchronously inside claimDue and would otherwise delay them by its whole duration.
    void Promise.resolve()
      .then(() => this.claimBatches())
      .finally(() => {
        this.claimingNow = false;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.claim();
        }
      });
  }

  private async claimBatches(): Promise<void> {
    const { options } = this;
    while (this.enabled) {
      this.startHeld();
      const free = options.concurrency - this.slots.running();
      // With every slot busy, top up the reserve only once it is half spent: one claim per
      // job would cost a transaction per job, which prefetching is there to avoid.
      // Jobs waiting for a busy target do not use up the reserve (jobs for other targets
      // must still be claimed), up to a bound so a stuck target cannot pull in everything.
      const blocked = Math.min(this.blocked, MAX_BLOCKED_PER_SLOT * options.concurrency);
      const held = this.reserved.length - blocked;
      const prefetch = this.prefetch;
      const room = free + prefetch - held;
      if (room <= 0 || (free <= 0 && held > prefetch / 2)) {
        this.backlog = true;
        return;
      }
      const limit = Math.min(room, options.batchSize);
      // Jobs claimed ahead or prefetched are held, so they are claimed `reserved`.
      const holding = prefetch > 0 || options.leadMs > 0;
      const now = this.clock.now();
      let jobs: ClaimedJob[];
      try {
        jobs = await this.store.claimDue({
          lane: options.lane,
          now,
          dueBy: now + options.leadMs + (options.claimSpanMs ?? 0),
          limit,
          owner: options.owner,
          leaseMs: options.leaseMs,
          planNext: options.planNext,
          as: holding ? 'reserved' : 'running',
        });
      } catch (error) {
        this.slots.onError(error, 'claiming due jobs');
        this.retryLater();
        return;
      }
      this.sizer?.claimed(this.clock.now() - now);
      this.claimRetryMs = 0;
      if (holding) {
        this.reserved.push(...jobs);
        this.prepareAhead(jobs, now);
      } else for (const job of jobs) this.slots.start(job);
      this.startHeld();
      this.backlog = jobs.length === limit;
      if (!this.backlog) return;
    }
  }

  /** Jobs claimed ahead of their due time: their runner may get ready (a connection opened). */
  private prepareAhead(jobs: readonly ClaimedJob[], now: number): void {
    if (!this.slots.prepare) return;
    for (const job of jobs) if (job.deliver && job.runAt > now) this.slots.prepare(job);
  }

  private retryLater(): void {
    this.backlog = true;
    this.claimRetryMs = Math.min(CLAIM_RETRY_MAX_MS, Math.max(CLAIM_RETRY_MIN_MS, this.claimRetryMs * 2));
    this.claimRetry = this.clock.setTimer(this.clock.now() + this.claimRetryMs, () => {
      this.claimRetry = null;
      this.claim();
    });
  }

  /** A precise wake-up for the earliest held job that is not due yet. */
  private armStart(at: number): void {
    if (!this.enabled || at >= this.startTimerAt) return;
    this.startTimer?.cancel();
    this.startTimerAt = at;
    this.startTimer = this.clock.setTimer(at, () => {
      this.startTimer = null;
      this.startTimerAt = Number.POSITIVE_INFINITY;
      this.startHeld();
      if (this.backlog || this.claimAfterStart) {
        this.claimAfterStart = false;
        this.claim();
      }
    });
  }

  /**
   * Starts held jobs that are due into free slots, in claim order (priority, then due time).
   * Wakes again for the earliest job held ahead of its time.
   */
  private startHeld(): void {
    if (this.reserved.length === 0 || !this.enabled) return;
    const now = this.clock.now();
    let earliestAhead = Number.POSITIVE_INFINITY;
    let blocked = 0;
    let started = 0;
    let kept: ClaimedJob[] = [];
    const held = this.reserved;
    for (let i = 0; i < held.length; i++) {
      const job = held[i]!;
      if (this.slots.running() >= this.options.concurrency) {
        // Every slot busy: the rest wait for a slot (not blocked by their targets), and the
        // walk after the next freed slot arms the wake-up for any held ahead of its time.
        // Walking each of them here, on every freed slot, was 5% of a busy worker's CPU at
        // 50 slots (docs/benchmarks.md, "An AbortController per job"). With nothing kept
        // before them, the jobs started are dropped from the front in place: a copy of the
        // rest, made on every freed slot, cost O(held) per job started (a worker holding
        // hundreds copied them all for each one; "Held jobs dropped in place").
        if (kept.length === 0) {
          // shift() one at a time: V8 trims an array's front in place, without a copy or an
          // array of the jobs taken out. A splice makes that array; `copyWithin` moved every
          // job held behind them, element by element, on every freed slot: a quarter of a
          // SQLite worker's CPU holding up to 400 ("The held jobs' walk, linear again").
          for (let k = 0; k < i; k++) held.shift();
          kept = held;
        } else kept = kept.concat(held.slice(i));
        break;
      }
      if (job.runAt > now) {
        earliestAhead = Math.min(earliestAhead, job.runAt);
        kept.push(job);
      } else if (job.deliver && !this.slots.admit(job)) {
        blocked++;
        kept.push(job);
      } else {
        this.slots.markStarted(job.id, now);
        // Changed in place: held jobs are this loop's alone, and a copy of every field per job
        // started was a tenth of what a busy worker allocated ("The task path's allocations").
        job.status = 'running';
        job.startedAt = now;
        this.slots.start(job);
        started++;
      }
    }
    if (started > 0) this.sizer?.started(started, now);
    this.reserved = kept;
    this.blocked = blocked;
    if (earliestAhead !== Number.POSITIVE_INFINITY) this.armStart(earliestAhead);
  }
}

/**
 * The timer and dispatcher of one lane (app callbacks, or a worker's task queues).
 *
 * It keeps the due times of the next window (not every job) in a min-heap fed by the store
 * and its "something new is due" signals, sleeps until the earliest, then claims what is
 * due in batches up to its free concurrency and hands each job to its runner. Claims are
 * queries, so the heap is only a wake-up list: a stale entry (a job someone else claimed)
 * costs one empty claim, never a wrong firing.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import { retryAt } from '../core/failure-policy.js';
import { CALLBACK_QUEUE, type ClaimedJob, type FailurePolicy } from '../core/types.js';
import type { DueSignal, JobOutcome, Lane, PlanNext, Store } from '../store/store.js';
import { abortReasonOf, type JobRunner, type RunResult } from '../core/job-runner.js';
import { jobRefOf, type LifecycleEvents } from '../core/lifecycle-events.js';
import { MinHeap } from './min-heap.js';
import type { OutcomeWriter } from './outcome-writer.js';

export interface DispatcherOptions {
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
   * Claim this long before jobs fall due, hold them, and start each exactly at its time: the
   * claim (a store transaction, most of the firing latency) happens before the deadline
   * instead of after it. 0 claims only what is due.
   */
  leadMs: number;
  leaseMs: number;
  /** How far ahead the heap looks. */
  windowMs: number;
  /** Most due times one refill reads. */
  peekLimit: number;
  /** A full refill at least this often, in case a signal was lost. */
  pollIntervalMs: number;
  defaultFailurePolicy: FailurePolicy;
  defaultTimeoutMs: number;
  /** Outcome label for a spent retry budget: callbacks are dead-lettered, tasks fail. */
  exhaustedOutcome: 'dead_lettered' | 'failed';
  /**
   * Whether a successful attempt gets a history entry. Callbacks: yes, every firing is
   * history. Tasks: no; the job row records the attempt, and the entry cost 13% of
   * throughput (measured on SQLite); failed and retried attempts are always recorded.
   */
  historyOnSuccess: boolean;
  planNext: PlanNext;
  /** Where `job.fired` goes when an attempt starts. */
  events: LifecycleEvents;
}

interface InFlight {
  job: ClaimedJob;
  controller: AbortController;
  timeout: TimerHandle | null;
}

type State = 'idle' | 'running' | 'draining' | 'stopped';

/** Held jobs waiting for a busy target, per callback slot, beyond which claiming pauses. */
const MAX_BLOCKED_PER_SLOT = 20;

export class Dispatcher {
  private state: State = 'idle';
  private readonly heap = new MinHeap();
  /** Every due time at or before this is in the heap (or already claimed). */
  private horizon = Number.NEGATIVE_INFINITY;
  private timer: TimerHandle | null = null;
  private timerAt = Number.POSITIVE_INFINITY;
  private pollTimer: TimerHandle | null = null;
  private readonly inFlight = new Map<string, InFlight>();
  /**
   * Claimed and not started (status `reserved` in the store): prefetched jobs waiting for a
   * slot, and jobs claimed ahead waiting for their due time.
   */
  private reserved: ClaimedJob[] = [];
  /** Held jobs that are due but whose target is at its cap (JobRunner.admit said no). */
  private blocked = 0;
  /** Wakes when the earliest held job falls due. */
  private startTimer: TimerHandle | null = null;
  private startTimerAt = Number.POSITIVE_INFINITY;
  private claimAfterStart = false;
  private claiming = false;
  private claimAgain = false;
  /**
   * After a failed claim (the store is down), the one pending retry, and its delay: doubling
   * up to a second, so an outage costs a few claims a second, not a claim per signal or timer.
   */
  private claimRetry: TimerHandle | null = null;
  private claimRetryMs = 0;
  /** The last claim filled its batch: more may be due once a slot frees. */
  private backlog = false;
  private refilling: Promise<void> | null = null;
  private refillAgain = false;
  /** Due times signalled while a window read was in flight. */
  private signalledDuringRefill: number[] = [];
  private unsubscribe: (() => void) | null = null;
  private readonly idleWaiters: (() => void)[] = [];

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly runner: JobRunner,
    private readonly outcomes: OutcomeWriter,
    private readonly options: DispatcherOptions,
    private readonly onError: (error: unknown, context: string) => void,
    /** Called when a job starts, so the engine watches leases and cancels while any run. */
    private readonly onJobStarted: () => void = () => {},
  ) {}

  /** Jobs running or due and waiting for a slot (not those held ahead of their time). */
  get activeJobs(): number {
    const now = this.clock.now();
    return this.inFlight.size + this.reserved.filter((job) => job.runAt <= now).length;
  }

  /** Jobs this dispatcher holds a lease on: running and reserved. */
  get activeJobIds(): string[] {
    return [...this.inFlight.keys(), ...this.reserved.map((job) => job.id)];
  }

  /** Claiming or reading due times right now (store calls in flight). */
  get busy(): boolean {
    return this.claiming || this.refilling !== null;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.unsubscribe = this.store.onDue((signal) => this.onSignal(signal));
    await this.refill();
    this.schedulePoll();
  }

  /**
   * Stops claiming; waits up to `graceMs` for running jobs, then aborts the rest and hands
   * them back unrun so another node (or the next start) runs them.
   */
  async drain(graceMs: number): Promise<void> {
    if (this.state === 'stopped' || this.state === 'idle') {
      this.state = 'stopped';
      return;
    }
    this.state = 'draining';
    this.unsubscribe?.();
    this.timer?.cancel();
    this.pollTimer?.cancel();
    this.startTimer?.cancel();
    this.claimRetry?.cancel();
    const unstarted = this.reserved.splice(0).map((job) => job.id);
    if (unstarted.length > 0) {
      await this.store.releaseLeases(this.options.owner, unstarted, this.clock.now()).catch((e) => this.onError(e, 'releasing reserved jobs'));
    }
    if (this.inFlight.size > 0) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([this.whenIdle(), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
      clearTimeout(grace);
    }
    const leftover = [...this.inFlight.values()];
    for (const entry of leftover) entry.controller.abort('shutdown');
    if (leftover.length > 0) await this.whenIdle();
    this.state = 'stopped';
  }

  /** Aborts running jobs whose ids are given (a cancel request reached them). */
  abortJobs(ids: readonly string[], reason: 'cancelled'): void {
    for (const id of ids) {
      const waiting = this.reserved.findIndex((job) => job.id === id);
      if (waiting >= 0) {
        // Never started: it ends cancelled without running.
        const [job] = this.reserved.splice(waiting, 1);
        const controller = new AbortController();
        controller.abort(reason);
        this.inFlight.set(job!.id, { job: job!, controller, timeout: null });
        this.finishJob(this.inFlight.get(job!.id)!, this.clock.now(), { ok: false, httpStatus: null, aborted: reason });
      } else {
        this.inFlight.get(id)?.controller.abort(reason);
      }
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- the window of due times

  private onSignal(signal: DueSignal | null): void {
    if (this.state !== 'running') return;
    if (signal === null) {
      // Another process wrote something: re-read the window, and meanwhile try a claim at
      // once (a job made due now elsewhere should not wait for the re-read).
      void this.refill();
      this.claim();
      return;
    }
    if (!this.inLane(signal)) return;
    // A signal carries a write's earliest time; `more` says the write (a batch) made later
    // ones due too, which only a re-read of the window finds.
    if (signal.more && signal.runAt <= this.horizon) void this.refill();
    if (signal.runAt <= this.horizon) {
      this.heap.push(signal.runAt);
      // A window read in flight may have started before this write and would reset the heap
      // without it: kept aside and pushed again after the reset (no second read).
      if (this.refilling) this.signalledDuringRefill.push(signal.runAt);
      this.arm();
    }
  }

  private inLane(signal: DueSignal): boolean {
    const lane = this.options.lane;
    if (signal.target !== lane.target) return false;
    return lane.target === 'callback' ? signal.queue === CALLBACK_QUEUE : lane.queues.includes(signal.queue);
  }

  private refill(): Promise<void> {
    if (this.refilling) {
      this.refillAgain = true;
      return this.refilling;
    }
    this.refilling = (async () => {
      do {
        this.refillAgain = false;
        const now = this.clock.now();
        const until = now + this.options.windowMs;
        try {
          const times = await this.store.peekDueTimes(this.options.lane, until, this.options.peekLimit);
          const full = times.length >= this.options.peekLimit;
          this.heap.reset(times);
          this.horizon = full ? times[times.length - 1]! : until;
          for (const runAt of this.signalledDuringRefill.splice(0)) if (runAt <= this.horizon) this.heap.push(runAt);
        } catch (error) {
          this.onError(error, 'reading due times');
          // Without a window, wake up soon and try again rather than sleep forever.
          this.horizon = now + 1000;
        }
      } while (this.refillAgain && this.state === 'running');
      this.refilling = null;
      this.arm();
    })();
    return this.refilling;
  }

  private schedulePoll(): void {
    if (this.state !== 'running') return;
    this.pollTimer = this.clock.setTimer(this.clock.now() + this.options.pollIntervalMs, () => {
      void this.refill().then(() => this.schedulePoll());
    });
  }

  /** Sleeps until the earliest due time, or the horizon (then reads the next window). */
  private arm(): void {
    if (this.state !== 'running') return;
    const top = this.heap.peek();
    const target = Math.min((top ?? Number.POSITIVE_INFINITY) - this.options.leadMs, this.horizon);
    if (target === this.timerAt && this.timer) return;
    this.timer?.cancel();
    this.timer = null;
    this.timerAt = target;
    if (target === Number.POSITIVE_INFINITY) return;
    this.timer = this.clock.setTimer(target, () => this.onTimer());
  }

  private onTimer(): void {
    this.timer = null;
    this.timerAt = Number.POSITIVE_INFINITY;
    const now = this.clock.now();
    let due = false;
    while (this.heap.size > 0 && this.heap.peek()! <= now + this.options.leadMs) {
      this.heap.pop();
      due = true;
    }
    if (due) {
      // A held job about to start goes first: on SQLite a claim blocks the loop for a few
      // hundred microseconds, and this claim is for jobs a lead time away anyway.
      if (this.startTimerAt - now < 2) this.claimAfterStart = true;
      else this.claim();
    }
    if (this.horizon <= now) void this.refill();
    else this.arm();
  }

  // ---- claiming and running

  private claim(): void {
    // While a retry after a failure is pending, it is the next claim.
    if (this.state !== 'running' || this.claimRetry) return;
    if (this.claiming) {
      this.claimAgain = true;
      return;
    }
    this.claiming = true;
    // One microtask later: handlers just started get to run first. On SQLite a claim runs
    // synchronously inside claimDue and would otherwise delay them by its whole duration.
    void Promise.resolve()
      .then(() => this.claimLoop())
      .finally(() => {
        this.claiming = false;
        if (this.claimAgain) {
          this.claimAgain = false;
          this.claim();
        }
      });
  }

  private async claimLoop(): Promise<void> {
    while (this.state === 'running') {
      this.startReserved();
      const free = this.options.concurrency - this.inFlight.size;
      // With every slot busy, top up the reserve only once it is half spent: one claim per
      // job would cost a transaction per job, which prefetching is there to avoid.
      // Jobs waiting for a busy target do not use up the reserve (jobs for other targets
      // must still be claimed), up to a bound so a stuck target cannot pull in everything.
      const blocked = Math.min(this.blocked, MAX_BLOCKED_PER_SLOT * this.options.concurrency);
      const held = this.reserved.length - blocked;
      const room = free + this.options.prefetch - held;
      if (room <= 0 || (free <= 0 && held > this.options.prefetch / 2)) {
        this.backlog = true;
        return;
      }
      const limit = Math.min(room, this.options.batchSize);
      // Jobs claimed ahead or prefetched are held, so they are claimed `reserved`.
      const prefetching = this.options.prefetch > 0 || this.options.leadMs > 0;
      const now = this.clock.now();
      let jobs: ClaimedJob[];
      try {
        jobs = await this.store.claimDue({
          lane: this.options.lane,
          now,
          dueBy: now + this.options.leadMs,
          limit,
          owner: this.options.owner,
          leaseMs: this.options.leaseMs,
          planNext: this.options.planNext,
          as: prefetching ? 'reserved' : 'running',
        });
      } catch (error) {
        this.onError(error, 'claiming due jobs');
        this.backlog = true;
        this.claimRetryMs = Math.min(1000, Math.max(125, this.claimRetryMs * 2));
        this.claimRetry = this.clock.setTimer(this.clock.now() + this.claimRetryMs, () => {
          this.claimRetry = null;
          this.claim();
        });
        return;
      }
      this.claimRetryMs = 0;
      if (prefetching) this.reserved.push(...jobs);
      else for (const job of jobs) this.startJob(job);
      this.startReserved();
      this.backlog = jobs.length === limit;
      if (!this.backlog) return;
    }
  }

  /** A precise wake-up for the earliest held job that is not due yet. */
  private armStart(at: number): void {
    if (this.state !== 'running' || at >= this.startTimerAt) return;
    this.startTimer?.cancel();
    this.startTimerAt = at;
    this.startTimer = this.clock.setTimer(at, () => {
      this.startTimer = null;
      this.startTimerAt = Number.POSITIVE_INFINITY;
      this.startReserved();
      if (this.backlog || this.claimAfterStart) {
        this.claimAfterStart = false;
        this.claim();
      }
    });
  }

  /**
   * Starts held jobs that are due into free slots, in claim order (priority, then due time);
   * the store learns they run with the next outcome flush. Wakes again for the earliest job
   * held ahead of its time.
   */
  private startReserved(): void {
    if (this.reserved.length === 0 || this.state !== 'running') return;
    const now = this.clock.now();
    let earliestAhead = Number.POSITIVE_INFINITY;
    let blocked = 0;
    const kept: ClaimedJob[] = [];
    for (const job of this.reserved) {
      if (job.runAt > now) {
        earliestAhead = Math.min(earliestAhead, job.runAt);
        kept.push(job);
      } else if (job.deliver && this.runner.admit && !this.runner.admit(job)) {
        blocked++;
        kept.push(job);
      } else if (this.inFlight.size < this.options.concurrency) {
        this.outcomes.markStarted(this.options.owner, job.id, now);
        this.startJob({ ...job, status: 'running', startedAt: now });
      } else {
        kept.push(job);
      }
    }
    this.reserved = kept;
    this.blocked = blocked;
    if (earliestAhead !== Number.POSITIVE_INFINITY) this.armStart(earliestAhead);
  }

  private startJob(job: ClaimedJob): void {
    const controller = new AbortController();
    const entry: InFlight = { job, controller, timeout: null };
    this.inFlight.set(job.id, entry);
    this.onJobStarted();
    const firedAt = this.clock.now();
    const { events } = this.options;
    if (job.deliver && events.active) {
      events.emit({ type: 'job.fired', at: firedAt, job: jobRefOf(job), lateMs: firedAt - job.runAt, nodeId: this.options.owner });
    }
    if (job.deliver) {
      const timeoutMs = job.timeoutMs ?? this.options.defaultTimeoutMs;
      entry.timeout = this.clock.setTimer(firedAt + timeoutMs, () => controller.abort('timeout'));
    }
    const attempt: Promise<RunResult> = job.deliver
      ? this.runner.run(job, controller.signal)
      : Promise.resolve({ ok: false, httpStatus: null });
    void attempt
      .catch((error: unknown): RunResult => ({
        ok: false,
        httpStatus: null,
        error: { message: String((error as Error)?.message ?? error), type: 'InternalError', traceback: null },
      }))
      .then((result) => this.finishJob(entry, firedAt, result));
  }

  private finishJob(entry: InFlight, firedAt: number, result: RunResult): void {
    entry.timeout?.cancel();
    this.inFlight.delete(entry.job.id);
    const aborted = result.aborted ?? abortReasonOf(entry.controller.signal);
    if (aborted !== 'shutdown') this.outcomes.add(this.outcomeOf(entry.job, firedAt, result, aborted), entry.job);
    else void this.store.releaseLeases(this.options.owner, [entry.job.id], this.clock.now()).catch((e) => this.onError(e, 'releasing a job'));
    if (this.inFlight.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    this.startReserved();
    if (this.state === 'running' && (this.backlog || (this.heap.peek() ?? Infinity) <= this.clock.now())) this.claim();
  }

  private outcomeOf(job: ClaimedJob, firedAt: number, result: RunResult, aborted: string | undefined): JobOutcome {
    const now = this.clock.now();
    const base = {
      jobId: job.id,
      owner: this.options.owner,
      startedAt: job.startedAt ?? undefined,
      finishedAt: now,
      result: result.result ?? null,
      error: result.error ?? null,
    };
    const attempt = {
      firedAt,
      durationMs: now - firedAt,
      httpStatus: result.httpStatus,
      error: result.error?.message ?? null,
      response: result.response ?? null,
    };
    if (!job.deliver) {
      const error = { message: 'occurrence missed while no server ran; skipped (missed-fire policy skip)', type: 'MissedFire', traceback: null };
      return { ...base, status: 'cancelled', error, attempt: { ...attempt, outcome: 'skipped', error: error.message } };
    }
    if (result.ok) {
      return this.options.historyOnSuccess
        ? { ...base, status: 'completed', error: null, attempt: { ...attempt, outcome: 'succeeded' } }
        : { ...base, status: 'completed', error: null };
    }
    if (aborted === 'cancelled') {
      const error = { message: 'cancelled while running', type: 'Cancelled', traceback: null };
      return { ...base, status: 'cancelled', error, attempt: { ...attempt, outcome: 'cancelled', error: error.message } };
    }
    const timedOut = aborted === 'timeout';
    const error = timedOut
      ? { message: `timed out after ${job.timeoutMs ?? this.options.defaultTimeoutMs} ms`, type: 'Timeout', traceback: null }
      : (result.error ?? { message: 'attempt failed', type: 'Error', traceback: null });
    const policy = job.failurePolicy ?? this.options.defaultFailurePolicy;
    const planned = retryAt(policy, job.attempts, now);
    // Retry-After (429, 503) can only push the next attempt later, never add one.
    const next = planned !== null && result.retryAfterMs !== undefined ? Math.max(planned, now + result.retryAfterMs) : planned;
    if (next !== null) {
      return { ...base, status: 'retrying', retryAt: next, error, attempt: { ...attempt, outcome: 'retrying', error: error.message } };
    }
    const outcome = timedOut ? 'timeout' : this.options.exhaustedOutcome;
    return { ...base, status: timedOut ? 'timeout' : 'failed', error, attempt: { ...attempt, outcome, error: error.message } };
  }
}

/**
 * The engine of one node: its lanes' dispatchers, the lease keeper, the reaper of dead
 * leases and the retention cleaner, with one explicit lifecycle.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { RuntimePort } from '../core/runtime-port.js';
import type { ClaimedJob, FailurePolicy } from '../core/types.js';
import type { JobOutcome, Lane, PlanNext, ReapRequest, Store } from '../store/store.js';
import { occurrencePlanner } from '../store/planners.js';
import { Dispatcher } from './dispatcher.js';
import type { JobRunner } from '../core/job-runner.js';
import { jobRefOf, LifecycleEvents, outcomeEventType } from '../core/lifecycle-events.js';
import { OutcomeWriter } from './outcome-writer.js';
import { startTakeBacks } from './start-recovery.js';

export interface EngineOptions {
  /** Identifies this node's leases. */
  nodeId: string;
  defaultFailurePolicy: FailurePolicy;
  /** A claimed job's lease; extended every third of it while the job runs. */
  leaseMs: number;
  /** How often dead leases are looked for. */
  reapIntervalMs: number;
  /** How often running jobs are checked for cancel requests made on other nodes. */
  cancelPollMs: number;
  /** Finished jobs, their history and finished schedules are kept this long. */
  retentionMs: number;
  cleanupIntervalMs: number;
  /** Jobs are claimed this long before they fall due and started exactly on time. */
  leadMs: number;
  /** A claim also takes jobs due this long after its lead (ClaimLoopOptions.claimSpanMs). @default 0 */
  claimSpanMs?: number;
  /** Outcome writes at least this far apart (OutcomeWriter). @default 0 */
  outcomeFlushIntervalMs?: number;
  /** An occurrence claimed later than this after it fell due counts as missed. */
  missedFireThresholdMs: number;
  windowMs: number;
  peekLimit: number;
  pollIntervalMs: number;
  batchSize: number;
  /** On shutdown, how long running jobs get to finish before they are handed back. */
  drainGraceMs: number;
  /**
   * The store has one owner at a time (a SQLite file): at start, every lease not held by a
   * live worker process comes back at once (start-recovery.ts). @default false
   */
  singleOwnerStore?: boolean;
  log: (level: 'info' | 'warn' | 'error', message: string, error?: unknown) => void;
  /** Where this node's lifecycle events go. @default a stream of its own (`Engine.events`) */
  events?: LifecycleEvents;
}

export interface LaneSpec {
  lane: Lane;
  runner: JobRunner;
  concurrency: number;
  defaultTimeoutMs: number;
  exhaustedOutcome: 'dead_lettered' | 'failed';
  /** Jobs claimed ahead of free slots (see DispatcherOptions.prefetch). @default 0 */
  prefetch?: number;
  /** How far the prefetch may grow with the lane's pace (ClaimLoopOptions.prefetchCeiling). @default none: it stays `prefetch` */
  prefetchCeiling?: number;
}

export type EngineState = 'starting' | 'running' | 'draining' | 'stopped';

/** The engine is the runtime port the services talk to (abort a local job, wake run-sync). */
export class Engine implements RuntimePort {
  private stateValue: EngineState = 'starting';
  private readonly dispatchers: { spec: LaneSpec; dispatcher: Dispatcher }[] = [];
  private readonly outcomes: OutcomeWriter;
  private readonly timers: TimerHandle[] = [];
  readonly planNext: PlanNext;
  private readonly settledWaiters = new Map<string, Set<() => void>>();
  private inFlightWatch: TimerHandle | null = null;
  /** Periodic tasks (reaper, retention) in progress; part of "settled". */
  private tasksRunning = 0;
  private readonly writtenListeners = new Set<(outcomes: readonly JobOutcome[]) => void>();
  /** Job lifecycle events of this node (fired, and each outcome once written). */
  readonly events: LifecycleEvents;

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: EngineOptions,
  ) {
    this.events = options.events ?? new LifecycleEvents((error) => options.log('error', 'a lifecycle event listener failed', error));
    this.outcomes = new OutcomeWriter(
      store,
      (error) => options.log('error', 'recording job outcomes failed', error),
      (written, jobs) => {
        for (const outcome of written) this.settledWaiters.get(outcome.jobId)?.forEach((wake) => wake());
        for (const listener of this.writtenListeners) listener(written);
        if (this.events.active) this.emitOutcomes(written, jobs);
      },
      undefined,
      options.outcomeFlushIntervalMs ?? 0,
    );
    this.planNext = occurrencePlanner(options.missedFireThresholdMs);
  }

  get state(): EngineState {
    return this.stateValue;
  }

  /** Adds a lane; lanes added after start() start at once. */
  async addLane(spec: LaneSpec): Promise<void> {
    if (this.stateValue === 'draining' || this.stateValue === 'stopped') throw new Error(`engine is ${this.stateValue}`);
    const dispatcher = new Dispatcher(
      this.store,
      this.clock,
      spec.runner,
      this.outcomes,
      {
        lane: spec.lane,
        owner: this.options.nodeId,
        concurrency: spec.concurrency,
        batchSize: this.options.batchSize,
        prefetch: spec.prefetch ?? 0,
        prefetchCeiling: spec.prefetchCeiling,
        leadMs: this.options.leadMs,
        claimSpanMs: this.options.claimSpanMs ?? 0,
        historyOnSuccess: spec.lane.target === 'callback',
        leaseMs: this.options.leaseMs,
        windowMs: this.options.windowMs,
        peekLimit: this.options.peekLimit,
        pollIntervalMs: this.options.pollIntervalMs,
        defaultFailurePolicy: this.options.defaultFailurePolicy,
        defaultTimeoutMs: spec.defaultTimeoutMs,
        exhaustedOutcome: spec.exhaustedOutcome,
        planNext: this.planNext,
        events: this.events,
      },
      (error, context) => this.options.log('error', `${context} failed`, error),
      () => this.watchInFlight(),
    );
    this.dispatchers.push({ spec, dispatcher });
    if (this.stateValue === 'running') await dispatcher.start();
  }

  async start(): Promise<void> {
    if (this.stateValue !== 'starting') return;
    // Leases left by a previous life of this node come back at once, those of a dead peer
    // once they run out (start-recovery.ts); both before the first claim.
    try {
      const takeBacks = await startTakeBacks(this.store, this.clock, this.options.nodeId, this.options.singleOwnerStore ?? false);
      for (const takeBack of takeBacks) await this.reap(takeBack);
    } catch (error) {
      this.options.log('error', 'taking back leases at start failed', error);
    }
    this.stateValue = 'running';
    for (const { dispatcher } of this.dispatchers) await dispatcher.start();
    this.every(this.options.reapIntervalMs, () => this.reap());
    void this.cleanup();
    this.every(this.options.cleanupIntervalMs, () => this.cleanup());
  }

  /** Stops claiming, lets running jobs finish (or hands them back), writes every outcome. */
  async close(): Promise<void> {
    if (this.stateValue === 'stopped' || this.stateValue === 'draining') return;
    this.stateValue = 'draining';
    for (const timer of this.timers.splice(0)) timer.cancel();
    this.inFlightWatch?.cancel();
    this.inFlightWatch = null;
    await Promise.all(this.dispatchers.map(({ dispatcher }) => dispatcher.drain(this.options.drainGraceMs)));
    await this.outcomes.drain();
    await Promise.all(this.dispatchers.map(({ spec }) => spec.runner.close()));
    this.stateValue = 'stopped';
  }

  /**
   * Calls `wake` whenever an outcome of `jobId` written by this node lands (run-sync waits on
   * it instead of polling when the job runs here). Returns the unsubscribe function.
   */
  onOutcomeWritten(jobId: string, wake: () => void): () => void {
    const waiters = this.settledWaiters.get(jobId) ?? new Set();
    waiters.add(wake);
    this.settledWaiters.set(jobId, waiters);
    return () => {
      waiters.delete(wake);
      if (waiters.size === 0) this.settledWaiters.delete(jobId);
    };
  }

  /** Calls `listener` with each batch of outcomes once it is written (metrics, benchmarks). */
  onOutcomesWritten(listener: (outcomes: readonly JobOutcome[]) => void): () => void {
    this.writtenListeners.add(listener);
    return () => this.writtenListeners.delete(listener);
  }

  private emitOutcomes(written: readonly JobOutcome[], jobs: readonly (ClaimedJob | null)[]): void {
    for (let index = 0; index < written.length; index++) {
      const outcome = written[index]!;
      const job = jobs[index];
      if (!job) continue;
      this.events.emit({
        type: outcomeEventType(outcome, job.target),
        at: outcome.finishedAt,
        job: jobRefOf(job),
        outcome: outcome.attempt?.outcome ?? (outcome.status === 'completed' ? 'succeeded' : null),
        durationMs: outcome.attempt?.durationMs ?? (job.startedAt !== null ? outcome.finishedAt - job.startedAt : null),
        httpStatus: outcome.attempt?.httpStatus ?? null,
        error: outcome.error ?? null,
        retryAt: outcome.retryAt ?? null,
        nodeId: outcome.owner,
      });
    }
  }

  /** Jobs currently running on this node. */
  get activeJobs(): number {
    return this.dispatchers.reduce((sum, { dispatcher }) => sum + dispatcher.activeJobs, 0);
  }

  /** Waits until every outcome so far is written (tests use it after advancing a virtual clock). */
  async flush(): Promise<void> {
    await this.outcomes.drain();
  }

  /**
   * Resolves once no claim or window read is in flight and every outcome so far is written:
   * the engine has reacted to everything that happened. Running jobs may go on. Tests on a
   * virtual clock wait for this after each timer (VirtualClock.setSettler), whatever the
   * store's latency.
   */
  async whenSettled(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.outcomes.drain();
      // Settled twice, a macrotask apart: a claim that just returned may start jobs and claims.
      if (!this.busy) {
        await new Promise((resolve) => setImmediate(resolve));
        if (!this.busy && this.outcomes.pending === 0) return;
      }
      if (Date.now() > deadline) throw new Error('engine did not settle');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  /** Resolves once no job runs and the engine is settled. */
  async whenIdle(timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await this.whenSettled(Math.max(1, deadline - Date.now()));
      if (this.activeJobs === 0) {
        await this.whenSettled(Math.max(1, deadline - Date.now()));
        if (this.activeJobs === 0) return;
      }
      if (Date.now() > deadline) throw new Error('engine did not become idle');
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
  }

  private get busy(): boolean {
    return this.tasksRunning > 0 || this.dispatchers.some(({ dispatcher }) => dispatcher.busy);
  }

  private every(intervalMs: number, task: () => Promise<void>): void {
    const tick = (): void => {
      if (this.stateValue !== 'running' && this.stateValue !== 'starting') return;
      const handle = this.clock.setTimer(this.clock.now() + intervalMs, () => {
        const index = this.timers.indexOf(handle);
        if (index >= 0) this.timers.splice(index, 1);
        if (this.stateValue !== 'running') return;
        this.tasksRunning++;
        void task().finally(() => {
          this.tasksRunning--;
          tick();
        });
      });
      this.timers.push(handle);
    };
    tick();
  }

  /**
   * While jobs run, every `cancelPollMs` check for cancel requests and every third of the
   * lease extend the leases; an idle node neither polls nor writes.
   */
  private watchInFlight(): void {
    if (this.inFlightWatch || this.stateValue !== 'running') return;
    const leaseEvery = Math.max(50, Math.floor(this.options.leaseMs / 3));
    let nextLease = this.clock.now() + leaseEvery;
    const tick = (): void => {
      this.inFlightWatch = this.clock.setTimer(this.clock.now() + Math.min(this.options.cancelPollMs, leaseEvery), () => {
        if (this.stateValue !== 'running' || this.activeJobs === 0) {
          this.inFlightWatch = null;
          return;
        }
        const extend = this.clock.now() >= nextLease;
        if (extend) nextLease = this.clock.now() + leaseEvery;
        void (extend ? this.keepLeases() : Promise.resolve())
          .then(() => this.checkCancels())
          .finally(tick);
      });
    };
    tick();
  }

  private async keepLeases(): Promise<void> {
    const until = this.clock.now() + this.options.leaseMs;
    for (const { dispatcher } of this.dispatchers) {
      const ids = dispatcher.activeJobIds;
      if (ids.length === 0) continue;
      try {
        await this.store.extendLeases(this.options.nodeId, ids, until);
      } catch (error) {
        this.options.log('error', 'extending leases failed', error);
      }
    }
  }

  /** Cancel requests made on another node reach the running job within one poll. */
  private async checkCancels(): Promise<void> {
    for (const { dispatcher } of this.dispatchers) {
      const ids = dispatcher.activeJobIds;
      if (ids.length === 0) continue;
      try {
        const cancelled = await this.store.cancelRequested(ids);
        if (cancelled.length > 0) dispatcher.abortJobs(cancelled, 'cancelled');
      } catch (error) {
        this.options.log('error', 'checking cancel requests failed', error);
      }
    }
  }

  cancelHeld(scheduleId: string): void {
    for (const { dispatcher } of this.dispatchers) dispatcher.abortJobs(dispatcher.heldIdsOf(scheduleId), 'cancelled');
  }

  /** Aborts a job running on this node at once (a cancel made here). */
  abortJob(jobId: string): boolean {
    for (const { dispatcher } of this.dispatchers) {
      if (dispatcher.activeJobIds.includes(jobId)) {
        dispatcher.abortJobs([jobId], 'cancelled');
        return true;
      }
    }
    return false;
  }

  private async reap(takeBack?: ReapRequest['takeBack']): Promise<void> {
    try {
      for (;;) {
        const now = this.clock.now();
        const reaped = await this.store.reapExpiredLeases({ now, limit: 500, takeBack });
        if (reaped.length > 0) this.options.log('warn', `took back ${reaped.length} job(s) from ${takeBack ? 'a previous run' : 'expired leases'}`);
        if (this.events.active) {
          for (const { jobId, previousOwner, status } of reaped) this.events.emit({ type: 'lease.expired', at: now, jobId, previousOwner, status });
        }
        if (reaped.length < 500) break;
      }
    } catch (error) {
      this.options.log('error', 'reaping expired leases failed', error);
    }
  }

  private async cleanup(): Promise<void> {
    try {
      const before = this.clock.now() - this.options.retentionMs;
      let purged = 0;
      for (;;) {
        const n = await this.store.purgeFinished(before, 1000);
        purged += n;
        if (n < 1000 || this.stateValue !== 'running') break;
      }
      if (purged > 0) this.options.log('info', `retention: removed ${purged} finished job(s)`);
    } catch (error) {
      this.options.log('error', 'retention cleanup failed', error);
    }
  }
}

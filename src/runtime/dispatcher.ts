/**
 * The timer and dispatcher of one lane (app callbacks, or a worker's task queues), composed
 * of three parts: its window of due times (due-window.ts) wakes it when something falls due,
 * its claim loop (claim-loop.ts) claims what is due a lead time ahead and starts each job at
 * its time, and the outcome classifier (outcome-classifier.ts) turns each finished attempt
 * into the outcome the outcome writer records. This file runs the jobs: their slots, timeouts
 * and aborts, and the lane's lifecycle.
 */
import type { Clock, TimerHandle } from '../core/clock.js';
import type { ClaimedJob } from '../core/types.js';
import type { Store } from '../store/store.js';
import { ClaimLoop, type ClaimLoopOptions } from './claim-loop.js';
import { DueWindow, type DueWindowOptions } from './due-window.js';
import { AttemptAbort, type JobRunner, type RunResult } from '../core/job-runner.js';
import { jobRefOf, type LifecycleEvents } from '../core/lifecycle-events.js';
import { classifyOutcome, type OutcomeRules } from './outcome-classifier.js';
import type { OutcomeWriter } from './outcome-writer.js';

/** One lane's dispatcher: what its window reads, how it claims, and how outcomes are judged. */
export interface DispatcherOptions extends DueWindowOptions, ClaimLoopOptions, OutcomeRules {
  /** Where `job.fired` goes when an attempt starts. */
  events: LifecycleEvents;
}

interface InFlight {
  job: ClaimedJob;
  abort: AttemptAbort;
  timeout: TimerHandle | null;
}

type State = 'idle' | 'running' | 'draining' | 'stopped';

/**
 * Fires one lane's jobs on time: `start()` reads the first window, `drain()` stops claiming,
 * lets running jobs finish and hands the rest back. The engine makes one per lane.
 */
export class Dispatcher {
  private state: State = 'idle';
  private readonly window: DueWindow;
  private readonly claims: ClaimLoop;
  private readonly inFlight = new Map<string, InFlight>();
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
  ) {
    this.claims = new ClaimLoop(store, clock, options, {
      running: () => this.inFlight.size,
      admit: (job) => !runner.admit || runner.admit(job),
      // Only a runner that prepares (the callback delivery) costs the claimed jobs a call.
      ...(runner.prepare ? { prepare: (job: ClaimedJob) => runner.prepare!(job) } : {}),
      start: (job) => this.startJob(job),
      markStarted: (jobId, at) => outcomes.markStarted(options.owner, jobId, at),
      onError,
    });
    this.window = new DueWindow(store, clock, options, {
      onDue: (now) => this.claims.onDue(now),
      onUnknownWrite: () => this.claims.claim(),
      onError,
    });
  }

  /** Jobs running or due and waiting for a slot (not those held ahead of their time). */
  get activeJobs(): number {
    return this.inFlight.size + this.claims.heldDue(this.clock.now());
  }

  /** Held jobs (claimed ahead, not started) of one schedule. */
  heldIdsOf(scheduleId: string): string[] {
    return this.claims.heldIdsOf(scheduleId);
  }

  /** Jobs this dispatcher holds a lease on: running and reserved. */
  get activeJobIds(): string[] {
    return [...this.inFlight.keys(), ...this.claims.heldIds];
  }

  /** Claiming or reading due times right now (store calls in flight). */
  get busy(): boolean {
    return this.claims.claiming || this.window.reading;
  }

  async start(): Promise<void> {
    if (this.state !== 'idle') return;
    this.state = 'running';
    this.claims.start();
    await this.window.start();
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
    this.window.stop();
    const unstarted = this.claims.stop();
    if (unstarted.length > 0) {
      await this.store.releaseLeases(this.options.owner, unstarted, this.clock.now()).catch((e) => this.onError(e, 'releasing reserved jobs'));
    }
    if (this.inFlight.size > 0) {
      let grace: NodeJS.Timeout | undefined;
      await Promise.race([this.whenIdle(), new Promise((resolve) => (grace = setTimeout(resolve, graceMs)))]);
      clearTimeout(grace);
    }
    const leftover = [...this.inFlight.values()];
    for (const entry of leftover) entry.abort.abort('shutdown');
    if (leftover.length > 0) await this.whenIdle();
    this.state = 'stopped';
  }

  /** Aborts running jobs whose ids are given (a cancel request reached them). */
  abortJobs(ids: readonly string[], reason: 'cancelled'): void {
    for (const id of ids) {
      const held = this.claims.takeHeld(id);
      if (held) {
        // Never started: it ends cancelled without running.
        const abort = new AttemptAbort();
        abort.abort(reason);
        const entry: InFlight = { job: held, abort, timeout: null };
        this.inFlight.set(held.id, entry);
        this.finishJob(entry, this.clock.now(), { ok: false, httpStatus: null, aborted: reason });
      } else {
        this.inFlight.get(id)?.abort.abort(reason);
      }
    }
  }

  private whenIdle(): Promise<void> {
    if (this.inFlight.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private startJob(job: ClaimedJob): void {
    const abort = new AttemptAbort();
    const entry: InFlight = { job, abort, timeout: null };
    this.inFlight.set(job.id, entry);
    this.onJobStarted();
    const firedAt = this.clock.now();
    const { events } = this.options;
    if (job.deliver && events.active) {
      events.emit({ type: 'job.fired', at: firedAt, job: jobRefOf(job), lateMs: firedAt - job.runAt, nodeId: this.options.owner });
    }
    if (job.deliver) {
      const timeoutMs = job.timeoutMs ?? this.options.defaultTimeoutMs;
      entry.timeout = this.clock.setTimer(firedAt + timeoutMs, () => abort.abort('timeout'));
    }
    const attempt: Promise<RunResult> = job.deliver
      ? this.runner.run(job, abort)
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
    const aborted = result.aborted ?? entry.abort.reason;
    if (aborted !== 'shutdown') {
      const outcome = classifyOutcome({ job: entry.job, firedAt, now: this.clock.now(), result, aborted }, this.options);
      this.outcomes.add(outcome, entry.job);
    } else {
      void this.store.releaseLeases(this.options.owner, [entry.job.id], this.clock.now()).catch((e) => this.onError(e, 'releasing a job'));
    }
    if (this.inFlight.size === 0) for (const wake of this.idleWaiters.splice(0)) wake();
    this.claims.onSlotFreed(this.window.hasDue(this.clock.now()));
  }
}

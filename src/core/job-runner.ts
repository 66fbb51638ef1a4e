import type { ClaimedJob, JobErrorInfo } from './types.js';

/** Why an attempt's AbortSignal fired. */
export type AbortReason = 'timeout' | 'cancelled' | 'shutdown';

/** What one attempt came to. */
export interface RunResult {
  ok: boolean;
  /** Set when the attempt ended because its signal fired. */
  aborted?: AbortReason;
  httpStatus: number | null;
  /** JSON text of the handler's result. */
  result?: string | null;
  error?: JobErrorInfo | null;
  /** The first bytes of the app's answer, kept in the firing history. */
  response?: string | null;
  /** The app asked (Retry-After on a 429 or 503) for the next attempt no sooner than this many ms. */
  retryAfterMs?: number;
}

/**
 * The abort of one attempt (its timeout, a cancel, the shutdown). Its AbortSignal is made
 * only when something asks for it (a task handler reading `signal`): an AbortController per
 * job, with the listeners the runner put on it, was a tenth to a fifth of a task worker's CPU
 * per job (docs/benchmarks.md, "An AbortController per job"). undici takes it as it is, in the
 * shape of an EventEmitter signal (`aborted`, `reason`, `on`/`addListener`/`removeListener` of
 * 'abort'), which its `request` accepts besides an AbortSignal.
 */
export class AttemptAbort {
  private controller: AbortController | undefined;
  private listeners: (() => void)[] | undefined;
  private abortedFor: AbortReason | undefined;

  /** Why the attempt was aborted; undefined while it was not. */
  get reason(): AbortReason | undefined {
    return this.abortedFor;
  }

  get aborted(): boolean {
    return this.abortedFor !== undefined;
  }

  /** The attempt's AbortSignal, made on first use (aborted already if the attempt is). */
  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.abortedFor) this.controller.abort(this.abortedFor);
    }
    return this.controller.signal;
  }

  /** The first reason wins; later calls change nothing. */
  abort(reason: AbortReason): void {
    if (this.abortedFor) return;
    this.abortedFor = reason;
    this.controller?.abort(reason);
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
  }

  /** Calls `listener` once on abort (at once if aborted already); the function returned removes it. */
  onAbort(listener: () => void): () => void {
    if (this.abortedFor) {
      listener();
      return () => {};
    }
    this.addListener('abort', listener);
    return () => this.removeListener('abort', listener);
  }

  /** EventEmitter's shape: `listener` is called on abort, unless the attempt is aborted already. */
  on(event: 'abort', listener: () => void): this {
    return this.addListener(event, listener);
  }

  addListener(event: 'abort', listener: () => void): this {
    if (event === 'abort' && !this.abortedFor) (this.listeners ??= []).push(listener);
    return this;
  }

  removeListener(event: 'abort', listener: () => void): this {
    const listeners = this.listeners;
    if (event !== 'abort' || !listeners) return this;
    // The most recently added copy, as EventEmitter removes.
    const at = listeners.lastIndexOf(listener);
    if (at < 0) return this;
    // The last one (nearly always the only one) popped: a splice makes an array of what it took.
    if (at === listeners.length - 1) listeners.pop();
    else listeners.splice(at, 1);
    return this;
  }
}

/**
 * Runs one attempt of a claimed job: an HTTP callback to the app, or a task handler.
 * Never throws; every failure comes back as a RunResult.
 */
export interface JobRunner {
  run(job: ClaimedJob, abort: AttemptAbort): Promise<RunResult>;
  /**
   * Whether the job may start now. A runner with per-target limits says no while the job's
   * target is busy; the dispatcher then holds the job (claimed) and starts others. Absent: yes.
   */
  admit?(job: ClaimedJob): boolean;
  /**
   * The job was claimed ahead of its due time and will run then: a runner can get ready for it
   * (the callback delivery opens a connection to its target if none is open). Absent: nothing.
   */
  prepare?(job: ClaimedJob): void;
  close(): Promise<void>;
}


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
 * Runs one attempt of a claimed job: an HTTP callback to the app, or a task handler.
 * Never throws; every failure comes back as a RunResult.
 */
export interface JobRunner {
  run(job: ClaimedJob, signal: AbortSignal): Promise<RunResult>;
  /**
   * Whether the job may start now. A runner with per-target limits says no while the job's
   * target is busy; the dispatcher then holds the job (claimed) and starts others. Absent: yes.
   */
  admit?(job: ClaimedJob): boolean;
  close(): Promise<void>;
}

export function abortReasonOf(signal: AbortSignal): AbortReason | undefined {
  const reason = signal.reason as unknown;
  return reason === 'timeout' || reason === 'cancelled' || reason === 'shutdown' ? reason : undefined;
}

import type { ClaimedJob, JobErrorInfo } from '../core/types.js';

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
}

/**
 * Runs one attempt of a claimed job: an HTTP callback to the app, or a task handler.
 * Never throws; every failure comes back as a RunResult.
 */
export interface JobRunner {
  run(job: ClaimedJob, signal: AbortSignal): Promise<RunResult>;
  close(): Promise<void>;
}

export function abortReasonOf(signal: AbortSignal): AbortReason | undefined {
  const reason = signal.reason as unknown;
  return reason === 'timeout' || reason === 'cancelled' || reason === 'shutdown' ? reason : undefined;
}

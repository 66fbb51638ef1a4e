/**
 * The rules for moving a job between statuses at a user's or the reaper's request, written
 * once for every backend. SQLite and PostgreSQL call these; a Redis script decides inside the
 * script (atomic on the server) and fails with the same message templates.
 */
import { chimeError } from './errors.js';
import type { JobStatus } from './types.js';

/** Waiting jobs: a cancel ends them at once. */
export const CANCEL_AT_ONCE: readonly JobStatus[] = ['pending', 'retrying'];
/** Claimed jobs: a cancel flags them, and the node running them aborts them. */
export const CANCEL_BY_REQUEST: readonly JobStatus[] = ['reserved', 'running'];
/** Finished jobs that a retry sends back to pending with a fresh attempt budget. */
export const RETRYABLE: readonly JobStatus[] = ['failed', 'timeout', 'cancelled'];

/**
 * What cancelling a job in `status` does: `now` (cancelled at once) or `request` (flagged for
 * the runner). INVALID_STATE for a finished job.
 *
 * @example
 * cancelStep('j1', 'running') // 'request'
 */
export function cancelStep(id: string, status: JobStatus): 'now' | 'request' {
  if (CANCEL_AT_ONCE.includes(status)) return 'now';
  if (CANCEL_BY_REQUEST.includes(status)) return 'request';
  throw chimeError('JOB_NOT_CANCELLABLE', { id, status });
}

/** INVALID_STATE unless a job in `status` may be retried (see `RETRYABLE`). */
export function assertRetryable(id: string, status: JobStatus): void {
  if (!RETRYABLE.includes(status)) throw chimeError('JOB_NOT_RETRYABLE', { id, status });
}

/** The error a cancelled job records. */
export function cancelledError(reason: string | null): { message: string; type: 'Cancelled'; traceback: null } {
  return { message: reason ?? 'cancelled', type: 'Cancelled', traceback: null };
}

/**
 * Where a job whose lease ran out goes: a dead lease counts as a failed attempt, so it waits
 * again if its retry budget (`maxRetries`, null: unlimited) allows another attempt, else it
 * fails; a cancel that arrived meanwhile wins. `attempts` counts the attempt that was lost.
 */
export function statusAfterLostLease(job: { cancelRequested: boolean; attempts: number; maxRetries: number | null }): Extract<
  JobStatus,
  'pending' | 'failed' | 'cancelled'
> {
  if (job.cancelRequested) return 'cancelled';
  return job.maxRetries === null || job.attempts <= job.maxRetries ? 'pending' : 'failed';
}

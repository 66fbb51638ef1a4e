/**
 * What one finished attempt means for its job: completed, cancelled, retrying (at the time
 * the failure policy gives), or its retries spent (dead-lettered callbacks, failed tasks) or
 * timed out. Pure: the caller passes the time (and, for an exponential policy's jitter, may
 * pass the random source).
 */
import { retryAt } from '../core/failure-policy.js';
import type { ClaimedJob, FailurePolicy } from '../core/types.js';
import type { JobOutcome } from '../store/store.js';
import type { AbortReason, RunResult } from '../core/job-runner.js';

/** The lane's rules for turning an attempt into an outcome. */
export interface OutcomeRules {
  /** The lease owner recorded on the outcome. */
  owner: string;
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
}

/** One finished attempt. */
export interface FinishedAttempt {
  job: ClaimedJob;
  firedAt: number;
  /** When it finished. */
  now: number;
  result: RunResult;
  /** Why its signal fired, if it did. */
  aborted: AbortReason | undefined;
}

/**
 * The outcome to record for a finished attempt.
 *
 * @example
 * classifyOutcome({ job, firedAt, now, result: { ok: true, httpStatus: 200 }, aborted: undefined }, rules)
 * // { status: 'completed', attempt: { outcome: 'succeeded', ... }, ... }
 */
export function classifyOutcome(attempt: FinishedAttempt, rules: OutcomeRules, random?: () => number): JobOutcome {
  const { job, firedAt, now, result, aborted } = attempt;
  const base = {
    jobId: job.id,
    owner: rules.owner,
    startedAt: job.startedAt ?? undefined,
    finishedAt: now,
    result: result.result ?? null,
    error: result.error ?? null,
  };
  const entry = {
    firedAt,
    durationMs: now - firedAt,
    httpStatus: result.httpStatus,
    error: result.error?.message ?? null,
    response: result.response ?? null,
  };
  if (!job.deliver) {
    const error = { message: 'occurrence missed while no server ran; skipped (missed-fire policy skip)', type: 'MissedFire', traceback: null };
    return { ...base, status: 'cancelled', error, attempt: { ...entry, outcome: 'skipped', error: error.message } };
  }
  if (result.ok) {
    return rules.historyOnSuccess
      ? { ...base, status: 'completed', error: null, attempt: { ...entry, outcome: 'succeeded' } }
      : { ...base, status: 'completed', error: null };
  }
  if (aborted === 'cancelled') {
    const error = { message: 'cancelled while running', type: 'Cancelled', traceback: null };
    return { ...base, status: 'cancelled', error, attempt: { ...entry, outcome: 'cancelled', error: error.message } };
  }
  const timedOut = aborted === 'timeout';
  const error = timedOut
    ? { message: `timed out after ${job.timeoutMs ?? rules.defaultTimeoutMs} ms`, type: 'Timeout', traceback: null }
    : (result.error ?? { message: 'attempt failed', type: 'Error', traceback: null });
  const policy = job.failurePolicy ?? rules.defaultFailurePolicy;
  const planned = retryAt(policy, job.attempts, now, random);
  // Retry-After (429, 503) can only push the next attempt later, never add one.
  const next = planned !== null && result.retryAfterMs !== undefined ? Math.max(planned, now + result.retryAfterMs) : planned;
  if (next !== null) {
    return { ...base, status: 'retrying', retryAt: next, error, attempt: { ...entry, outcome: 'retrying', error: error.message } };
  }
  const outcome = timedOut ? 'timeout' : rules.exhaustedOutcome;
  return { ...base, status: timedOut ? 'timeout' : 'failed', error, attempt: { ...entry, outcome, error: error.message } };
}

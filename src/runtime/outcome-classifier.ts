/**
 * What one finished attempt means for its job: completed, cancelled, retrying (at the time
 * the failure policy gives), or its retries spent (dead-lettered callbacks, failed tasks) or
 * timed out. Pure: the caller passes the time (and, for an exponential policy's jitter, may
 * pass the random source).
 */
import { retryAt } from '../core/failure-policy.js';
import type { AttemptOutcome, ClaimedJob, FailurePolicy, JobErrorInfo } from '../core/types.js';
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
  // One literal per outcome, every field named: shared fields spread and then extended would
  // take V8's slow path, microseconds for every finished job (docs/architecture.md, "Per-job code").
  const outcome = (status: JobOutcome['status'], error: JobErrorInfo | null, recorded: AttemptOutcome | null, next?: number): JobOutcome => ({
    jobId: job.id,
    owner: rules.owner,
    status,
    retryAt: next,
    startedAt: job.startedAt ?? undefined,
    result: result.result ?? null,
    error,
    finishedAt: now,
    attempt:
      recorded === null
        ? undefined
        : {
            outcome: recorded,
            firedAt,
            durationMs: now - firedAt,
            httpStatus: result.httpStatus,
            error: error?.message ?? result.error?.message ?? null,
            response: result.response ?? null,
          },
  });
  if (!job.deliver) {
    return outcome('cancelled', { message: 'occurrence missed while no server ran; skipped (missed-fire policy skip)', type: 'MissedFire', traceback: null }, 'skipped');
  }
  if (result.ok) return outcome('completed', null, rules.historyOnSuccess ? 'succeeded' : null);
  if (aborted === 'cancelled') return outcome('cancelled', { message: 'cancelled while running', type: 'Cancelled', traceback: null }, 'cancelled');
  const timedOut = aborted === 'timeout';
  const error = timedOut
    ? { message: `timed out after ${job.timeoutMs ?? rules.defaultTimeoutMs} ms`, type: 'Timeout', traceback: null }
    : (result.error ?? { message: 'attempt failed', type: 'Error', traceback: null });
  const policy = job.failurePolicy ?? rules.defaultFailurePolicy;
  const planned = retryAt(policy, job.attempts, now, random);
  // Retry-After (429, 503) can only push the next attempt later, never add one.
  const next = planned !== null && result.retryAfterMs !== undefined ? Math.max(planned, now + result.retryAfterMs) : planned;
  if (next !== null) return outcome('retrying', error, 'retrying', next);
  return outcome(timedOut ? 'timeout' : 'failed', error, timedOut ? 'timeout' : rules.exhaustedOutcome);
}

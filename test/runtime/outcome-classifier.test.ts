import { describe, expect, it } from 'vitest';
import type { ClaimedJob, FailurePolicy } from '../../src/core/types.js';
import { classifyOutcome, type FinishedAttempt, type OutcomeRules } from '../../src/runtime/outcome-classifier.js';
import type { RunResult } from '../../src/core/job-runner.js';
import { T0, callbackTemplate, newJob } from '../support/fixtures.js';

const CALLBACK_RULES: OutcomeRules = {
  owner: 'node-a',
  defaultFailurePolicy: { kind: 'constant', intervalMs: 1000, maxRetries: 3 },
  defaultTimeoutMs: 30_000,
  exhaustedOutcome: 'dead_lettered',
  historyOnSuccess: true,
};
const TASK_RULES: OutcomeRules = { ...CALLBACK_RULES, exhaustedOutcome: 'failed', historyOnSuccess: false };

const FIRED = T0 + 1000;
const NOW = FIRED + 250;

function claimed(overrides: Partial<ClaimedJob> = {}): ClaimedJob {
  return {
    ...newJob({ runAt: T0 + 1000 }, callbackTemplate()),
    status: 'running',
    attempts: 1,
    leaseOwner: 'node-a',
    leaseUntil: NOW + 30_000,
    workerId: null,
    startedAt: null,
    completedAt: null,
    result: null,
    error: null,
    cancelRequested: false,
    deliver: true,
    ...overrides,
  };
}

function attempt(result: RunResult, overrides: Partial<FinishedAttempt> = {}): FinishedAttempt {
  return { job: claimed(), firedAt: FIRED, now: NOW, result, aborted: undefined, ...overrides };
}

const FAILED: RunResult = { ok: false, httpStatus: 500, error: { message: 'HTTP 500', type: 'HttpError', traceback: null }, response: 'boom' };

describe('classifyOutcome', () => {
  it('success: completed, with a succeeded history entry on a callback lane', () => {
    const outcome = classifyOutcome(attempt({ ok: true, httpStatus: 200, response: 'ok', result: '"done"' }), CALLBACK_RULES);
    expect(outcome).toEqual({
      jobId: expect.any(String),
      owner: 'node-a',
      startedAt: undefined,
      finishedAt: NOW,
      result: '"done"',
      status: 'completed',
      error: null,
      attempt: { outcome: 'succeeded', firedAt: FIRED, durationMs: 250, httpStatus: 200, error: null, response: 'ok' },
    });
  });

  it('success on a task lane: completed without a history entry', () => {
    const outcome = classifyOutcome(attempt({ ok: true, httpStatus: null }), TASK_RULES);
    expect(outcome.status).toBe('completed');
    expect(outcome.attempt).toBeUndefined();
  });

  it('a held job carries the time it started (its start write was skipped)', () => {
    const outcome = classifyOutcome(attempt({ ok: true, httpStatus: 200 }, { job: claimed({ startedAt: FIRED }) }), CALLBACK_RULES);
    expect(outcome.startedAt).toBe(FIRED);
  });

  it('a skipped occurrence (deliver false): cancelled, recorded as skipped', () => {
    const outcome = classifyOutcome(attempt({ ok: false, httpStatus: null }, { job: claimed({ deliver: false }) }), CALLBACK_RULES);
    expect(outcome.status).toBe('cancelled');
    expect(outcome.error?.type).toBe('MissedFire');
    expect(outcome.attempt).toMatchObject({ outcome: 'skipped', error: outcome.error?.message });
  });

  it('cancelled while running: cancelled, never retried', () => {
    const outcome = classifyOutcome(attempt({ ok: false, httpStatus: null }, { aborted: 'cancelled' }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'cancelled', error: { type: 'Cancelled', message: 'cancelled while running' } });
    expect(outcome.attempt?.outcome).toBe('cancelled');
    expect(outcome.retryAt).toBeUndefined();
  });

  it('a failure with retries left: retrying at the time the policy gives', () => {
    const outcome = classifyOutcome(attempt(FAILED), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'retrying', retryAt: NOW + 1000, error: FAILED.error });
    expect(outcome.attempt).toMatchObject({ outcome: 'retrying', error: 'HTTP 500', httpStatus: 500, response: 'boom' });
  });

  it("the job's own failure policy wins over the lane default", () => {
    const policy: FailurePolicy = { kind: 'constant', intervalMs: 7000, maxRetries: 5 };
    const outcome = classifyOutcome(attempt(FAILED, { job: claimed({ failurePolicy: policy, attempts: 4 }) }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'retrying', retryAt: NOW + 7000 });
  });

  it('the lane default applies to a job without a policy', () => {
    const outcome = classifyOutcome(attempt(FAILED, { job: claimed({ failurePolicy: null, attempts: 3 }) }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'retrying', retryAt: NOW + 1000 });
    const spent = classifyOutcome(attempt(FAILED, { job: claimed({ failurePolicy: null, attempts: 4 }) }), CALLBACK_RULES);
    expect(spent.status).toBe('failed');
  });

  it('Retry-After pushes the retry later, never earlier', () => {
    const later = classifyOutcome(attempt({ ...FAILED, httpStatus: 429, retryAfterMs: 5000 }), CALLBACK_RULES);
    expect(later.retryAt).toBe(NOW + 5000);
    const sooner = classifyOutcome(attempt({ ...FAILED, httpStatus: 429, retryAfterMs: 10 }), CALLBACK_RULES);
    expect(sooner.retryAt).toBe(NOW + 1000);
  });

  it('Retry-After adds no attempt once retries are spent', () => {
    const outcome = classifyOutcome(attempt({ ...FAILED, retryAfterMs: 5000 }, { job: claimed({ attempts: 4 }) }), CALLBACK_RULES);
    expect(outcome.status).toBe('failed');
    expect(outcome.retryAt).toBeUndefined();
  });

  it('retries spent on a callback lane: failed, recorded as dead-lettered', () => {
    const outcome = classifyOutcome(attempt(FAILED, { job: claimed({ attempts: 4 }) }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'failed', error: FAILED.error });
    expect(outcome.attempt?.outcome).toBe('dead_lettered');
  });

  it('retries spent on a task lane: failed, recorded as failed', () => {
    const outcome = classifyOutcome(attempt(FAILED, { job: claimed({ attempts: 4 }) }), TASK_RULES);
    expect(outcome.status).toBe('failed');
    expect(outcome.attempt?.outcome).toBe('failed');
  });

  it('a drop policy never retries', () => {
    const job = claimed({ failurePolicy: { kind: 'drop' } });
    expect(classifyOutcome(attempt(FAILED, { job }), CALLBACK_RULES).status).toBe('failed');
  });

  it('a failure without details gets a generic error', () => {
    const outcome = classifyOutcome(attempt({ ok: false, httpStatus: null }), CALLBACK_RULES);
    expect(outcome.error).toEqual({ message: 'attempt failed', type: 'Error', traceback: null });
  });

  it('a timeout with retries left: retrying, the message naming the timeout', () => {
    const job = claimed({ timeoutMs: 1500 });
    const outcome = classifyOutcome(attempt(FAILED, { job, aborted: 'timeout' }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'retrying', error: { type: 'Timeout', message: 'timed out after 1500 ms' } });
  });

  it('a timeout with retries spent: status and history outcome timeout; the lane default timeout named', () => {
    const outcome = classifyOutcome(attempt(FAILED, { job: claimed({ attempts: 4 }), aborted: 'timeout' }), CALLBACK_RULES);
    expect(outcome).toMatchObject({ status: 'timeout', error: { message: 'timed out after 30000 ms' } });
    expect(outcome.attempt?.outcome).toBe('timeout');
  });

  it('exponential backoff uses the given random source for its jitter', () => {
    const policy: FailurePolicy = { kind: 'exponential', initialMs: 1000, multiplier: 2, maxIntervalMs: 60_000, jitter: 0.5, maxRetries: 5 };
    const job = claimed({ failurePolicy: policy, attempts: 3 });
    expect(classifyOutcome(attempt(FAILED, { job }), CALLBACK_RULES, () => 0).retryAt).toBe(NOW + 4000);
    expect(classifyOutcome(attempt(FAILED, { job }), CALLBACK_RULES, () => 1).retryAt).toBe(NOW + 2000);
  });
});

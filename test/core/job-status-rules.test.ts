import { describe, expect, it } from 'vitest';
import { ChimeError, chimeError, formatMessage } from '../../src/core/errors.js';
import { assertRetryable, cancelledError, cancelStep, statusAfterLostLease } from '../../src/core/job-status-rules.js';
import { JOB_STATUSES } from '../../src/core/types.js';

function errorOf(fn: () => unknown): ChimeError {
  try {
    fn();
  } catch (error) {
    if (error instanceof ChimeError) return error;
    throw error;
  }
  throw new Error('did not throw');
}

describe('job status rules', () => {
  it('cancels waiting jobs at once, flags claimed ones, and refuses finished ones', () => {
    const steps = Object.fromEntries(
      JOB_STATUSES.map((status) => [status, status === 'pending' || status === 'retrying' || status === 'reserved' || status === 'running' ? cancelStep('j1', status) : 'refused']),
    );
    expect(steps).toEqual({
      pending: 'now',
      retrying: 'now',
      reserved: 'request',
      running: 'request',
      completed: 'refused',
      failed: 'refused',
      cancelled: 'refused',
      timeout: 'refused',
    });
    const error = errorOf(() => cancelStep('j1', 'completed'));
    expect(error).toMatchObject({ code: 'INVALID_STATE', status: 409 });
    expect(error.message).toBe('job "j1" is completed; only pending, retrying or running jobs can be cancelled');
  });

  it('retries only failed, timed-out or cancelled jobs', () => {
    const allowed = JOB_STATUSES.filter((status) => {
      try {
        assertRetryable('j2', status);
        return true;
      } catch {
        return false;
      }
    });
    expect(new Set(allowed)).toEqual(new Set(['failed', 'timeout', 'cancelled']));
    const error = errorOf(() => assertRetryable('j2', 'running'));
    expect(error).toMatchObject({ code: 'INVALID_STATE', template: { id: 'JOB_NOT_RETRYABLE', params: { id: 'j2', status: 'running' } } });
    expect(error.message).toBe('job "j2" is running; only failed, timeout or cancelled jobs can be retried');
  });

  it('sends a job whose lease ran out back to pending while retries remain, else fails it; a pending cancel wins', () => {
    expect(statusAfterLostLease({ cancelRequested: false, attempts: 1, maxRetries: null })).toBe('pending');
    expect(statusAfterLostLease({ cancelRequested: false, attempts: 3, maxRetries: 3 })).toBe('pending');
    expect(statusAfterLostLease({ cancelRequested: false, attempts: 4, maxRetries: 3 })).toBe('failed');
    expect(statusAfterLostLease({ cancelRequested: false, attempts: 1, maxRetries: 0 })).toBe('failed');
    expect(statusAfterLostLease({ cancelRequested: true, attempts: 1, maxRetries: null })).toBe('cancelled');
  });

  it('records the reason of a cancel, or "cancelled"', () => {
    expect(cancelledError('no longer needed')).toEqual({ message: 'no longer needed', type: 'Cancelled', traceback: null });
    expect(cancelledError(null).message).toBe('cancelled');
  });
});

describe('error message templates', () => {
  it('fills every slot and takes code, status and field from the template', () => {
    const error = chimeError('JOB_ID_EXISTS', { id: 'a1' });
    expect(error).toMatchObject({ code: 'JOB_EXISTS', status: 409, field: 'job_id', message: 'a job with id "a1" already exists' });
    expect(chimeError('STORE_NOT_OPEN', { backend: 'Redis' })).toMatchObject({ code: 'STORE_UNAVAILABLE', status: 503 });
    expect(formatMessage('{a} and {b}', { a: 1 })).toBe('1 and {b}');
  });

  it('keeps a free-text ChimeError working', () => {
    const error = new ChimeError('INVALID_ARGUMENT', 'repeats: must be 0 or more', { field: 'repeats' });
    expect(error).toMatchObject({ code: 'INVALID_ARGUMENT', status: 400, field: 'repeats', template: undefined });
  });
});

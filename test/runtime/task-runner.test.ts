/**
 * The task runner with the attempt's abort: a handler that ignores its signal still gives
 * its slot back on abort, and one that reads the signal sees it fire with the reason.
 */
import { describe, expect, it } from 'vitest';
import { AttemptAbort } from '../../src/core/job-runner.js';
import { defineTask, type TaskContext } from '../../src/core/tasks.js';
import type { ClaimedJob } from '../../src/core/types.js';
import { TaskRunner } from '../../src/runtime/task-runner.js';
import { T0, newJob, taskTemplate } from '../support/fixtures.js';

function claimedTask(): ClaimedJob {
  return {
    ...newJob({ runAt: T0 }, taskTemplate({ taskName: 'slow', taskVersion: null })),
    status: 'running',
    attempts: 1,
    leaseOwner: 'node-a',
    leaseUntil: T0 + 30_000,
    workerId: 'node-a',
    startedAt: T0,
    completedAt: null,
    result: null,
    error: null,
    cancelRequested: false,
    deliver: true,
  };
}

describe('TaskRunner and the attempt abort', () => {
  it('ends a handler that ignores its signal when the attempt is aborted', async () => {
    const runner = new TaskRunner([defineTask({ name: 'slow', handler: () => new Promise(() => {}) })]);
    const abort = new AttemptAbort();
    const result = runner.run(claimedTask(), abort);
    abort.abort('timeout');
    await expect(result).resolves.toEqual({ ok: false, aborted: 'timeout', httpStatus: null });
  });

  it('hands a handler that reads it one signal, which fires with the reason', async () => {
    const seen: AbortSignal[] = [];
    const runner = new TaskRunner([
      defineTask({
        name: 'slow',
        handler: ({ signal }: TaskContext) => {
          seen.push(signal);
          return new Promise((_resolve, reject) => signal.addEventListener('abort', () => reject(new Error(String(signal.reason)))));
        },
      }),
    ]);
    const abort = new AttemptAbort();
    const result = runner.run(claimedTask(), abort);
    await new Promise((resolve) => setImmediate(resolve));
    expect(seen).toHaveLength(1);
    expect(seen[0]).toBe(abort.signal);
    abort.abort('cancelled');
    await expect(result).resolves.toEqual({ ok: false, aborted: 'cancelled', httpStatus: null });
    expect(seen[0]!.reason).toBe('cancelled');
  });

  it('returns the result of a handler that finishes before any abort', async () => {
    const runner = new TaskRunner([defineTask({ name: 'slow', handler: ({ args }) => ({ echoed: args }) })]);
    await expect(runner.run(claimedTask(), new AttemptAbort())).resolves.toEqual({ ok: true, httpStatus: null, result: '{"echoed":[]}' });
  });
});

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

  it("hands a handler the job's scheduled time and metadata, the same objects on every read", async () => {
    const seen: TaskContext[] = [];
    const runner = new TaskRunner([defineTask({ name: 'slow', handler: (context) => void seen.push(context) })]);
    const job = { ...claimedTask(), occurrence: T0 + 5, metadata: '{"tenant":"acme","n":2}' };
    await expect(runner.run(job, new AttemptAbort())).resolves.toEqual({ ok: true, httpStatus: null, result: 'null' });
    const [context] = seen;
    expect(context!.scheduledAt).toEqual(new Date(T0 + 5));
    expect(context!.scheduledAt).toBe(context!.scheduledAt);
    expect(context!.metadata).toEqual({ tenant: 'acme', n: 2 });
    expect(context!.metadata).toBe(context!.metadata);
    expect({ ...context! }).toMatchObject({ jobId: job.id, attempt: 1, queue: job.queue, metadata: { tenant: 'acme', n: 2 } });
  });

  it('fails the attempt with the error of a handler that throws before returning', async () => {
    const runner = new TaskRunner([
      defineTask({
        name: 'slow',
        handler: () => {
          throw new TypeError('bad input');
        },
      }),
    ]);
    const result = await runner.run(claimedTask(), new AttemptAbort());
    expect(result).toMatchObject({ ok: false, httpStatus: null, error: { message: 'bad input', type: 'TypeError' } });
  });

  it('ends as aborted a handler that returned a value after its attempt was aborted', async () => {
    const abort = new AttemptAbort();
    const runner = new TaskRunner([defineTask({ name: 'slow', handler: () => void abort.abort('timeout') })]);
    await expect(runner.run(claimedTask(), abort)).resolves.toEqual({ ok: false, aborted: 'timeout', httpStatus: null });
  });

  it('returns the result of a handler that finishes before any abort', async () => {
    const runner = new TaskRunner([defineTask({ name: 'slow', handler: ({ args }) => ({ echoed: args }) })]);
    await expect(runner.run(claimedTask(), new AttemptAbort())).resolves.toEqual({ ok: true, httpStatus: null, result: '{"echoed":[]}' });
  });
});

/** The `/api/v1` edge's wire → spec mapping: seed 003's names, seconds and defaults. */
import { describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createJobBatch, runSyncSpecOf, taskJobSpecOf } from '../../src/http/v1/job-wire.js';
import { recurrenceOfPreviewQuery, scheduleSpecOf, scheduleUpdateOf } from '../../src/http/v1/schedule-wire.js';
import { JobSpecRefused } from '../../src/services/platform-job-spec.js';
import type { PlatformJobs } from '../../src/services/platform-jobs.js';

describe('job wire', () => {
  it('fills seed 003 defaults and turns seconds into milliseconds', () => {
    expect(taskJobSpecOf({ task_name: 'send' })).toMatchObject({ taskName: 'send', args: [], kwargs: {}, priority: 'normal', tags: [], metadata: {}, runAt: undefined, maxRetries: undefined, retryDelayMs: undefined, timeoutMs: undefined });
    expect(taskJobSpecOf({ task_name: 'send', retry_delay: 1.5, timeout: 2.0004, scheduled_at: null, queue_name: 'q', version: '2', job_id: 'j' })).toMatchObject({
      retryDelayMs: 1500,
      timeoutMs: 2000,
      runAt: undefined,
      queue: 'q',
      taskVersion: '2',
      id: 'j',
    });
    expect(runSyncSpecOf({ task_name: 'send', wait: true })).toMatchObject({ spec: { taskName: 'send', tags: [] }, waitForWorker: true });
  });

  it('names a refused job of a bulk body by its place, and a body of one as a single create', async () => {
    const refusing = (index: number) =>
      ({ createMany: async () => Promise.reject(new JobSpecRefused(index, new ChimeError('TASK_NOT_FOUND', 'Task not found: x', { field: 'task_name' }))) }) as unknown as PlatformJobs;
    await expect(createJobBatch(refusing(1), [{ task_name: 'a' }, { task_name: 'x' }], null)).rejects.toMatchObject({ message: 'jobs[1]: Task not found: x', field: 'jobs[1].task_name' });
    await expect(createJobBatch(refusing(0), [{ task_name: 'x' }], null)).rejects.toMatchObject({ message: 'Task not found: x', field: 'task_name' });
  });
});

describe('schedule wire', () => {
  it('fills defaults on a create, and maps only the given fields of an update', () => {
    expect(scheduleSpecOf({ name: 'n', task_name: 't', interval: { minutes: 5 }, retry_delay: 2 })).toMatchObject({ name: 'n', taskName: 't', interval: { minutes: 5 }, priority: 'normal', args: [], tags: [], retryDelayMs: 2000 });
    const update = scheduleUpdateOf({ cron_expression: null, status: 'paused' });
    expect(Object.fromEntries(Object.entries(update).filter(([, value]) => value !== undefined))).toEqual({ cron: null, status: 'paused' });
    expect(recurrenceOfPreviewQuery({ interval_seconds: 90 })).toEqual({ cron: null, interval: { seconds: 90 }, timezone: null });
  });
});

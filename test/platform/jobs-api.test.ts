/**
 * The job platform's jobs through /api/v1, with tasks run by the server's own worker, on a
 * virtual clock: creation, filters, scheduled_at precision, cancel, retry, timeout, run-sync,
 * stats.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { SharedRead } from '../../src/core/shared-read.js';
import { defineTask, type TaskContext } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { waitFor } from '../support/receiver.js';
import { startTestServer, testToken } from '../support/server.js';

let server: ChimeServer;
let clock: VirtualClock;
let auth: Record<string, string>;
const started: string[] = [];
let releaseSlow: () => void = () => {};
let slowSignal: AbortSignal | null = null;
let flakyCalls = 0;

const tasks = [
  defineTask({ name: 'process_data', queue: 'default', max_retries: 3, retry_delay: 60, handler: ({ args, kwargs }) => ({ processed: args[0], format: kwargs.format ?? null }) }),
  defineTask({ name: 'generate_report', queue: 'reports', handler: ({ args }) => `report:${String(args[0])}` }),
  defineTask({
    name: 'explode',
    max_retries: 0,
    handler: () => {
      throw new TypeError('report exploded');
    },
  }),
  defineTask({
    name: 'flaky',
    max_retries: 2,
    retry_delay: 30,
    handler: () => {
      flakyCalls++;
      if (flakyCalls < 3) throw new Error(`attempt ${flakyCalls} failed`);
      return 'third time lucky';
    },
  }),
  defineTask({
    name: 'slow',
    timeout: 10,
    max_retries: 0,
    handler: ({ signal, jobId }: TaskContext) =>
      new Promise((resolve, reject) => {
        started.push(jobId);
        slowSignal = signal;
        releaseSlow = () => resolve('finished');
        signal.addEventListener('abort', () => reject(new Error('aborted')));
      }),
  }),
];

beforeAll(async () => {
  clock = new VirtualClock(T0);
  server = await startTestServer({ clock, taskDefinitions: tasks });
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  releaseSlow();
  await server.close();
});

const api = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, payload?: object) => {
  const response = await server.app.inject({ method, url: `/api/v1${url}`, payload, headers: auth });
  return { status: response.statusCode, body: response.body ? (response.json() as any) : undefined, headers: response.headers };
};
const finalStatus = async (id: string, status: string) =>
  waitFor(async () => (await api('GET', `/jobs/${id}`)).body.status === status, 5000, `job ${id} to be ${status}`);

describe('jobs', () => {
  it('creates a job that the worker completes, with every JobViewDto field filled in', async () => {
    const created = await api('POST', '/jobs', {
      task_name: 'process_data',
      args: [42, 'test'],
      kwargs: { format: 'json' },
      priority: 'high',
      tags: ['data', 'processing'],
      metadata: { source: 'api' },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({ task_name: 'process_data', status: 'pending', queue_name: 'default', max_retries: 3, retry_delay: 60, timeout: 300 });
    await finalStatus(created.body.id, 'completed');
    const job = (await api('GET', `/jobs/${created.body.id}`)).body;
    expect(job).toMatchObject({
      args: [42, 'test'],
      kwargs: { format: 'json' },
      result: { processed: 42, format: 'json' },
      error: null,
      retry_count: 0,
      tags: ['data', 'processing'],
      metadata: { source: 'api' },
      scheduled_at: new Date(T0).toISOString(),
      started_at: new Date(T0).toISOString(),
      completed_at: new Date(T0).toISOString(),
      duration: 0,
    });
    expect(job.worker_id).toMatch(/^test-/);
  });

  it('refuses an unknown task, a duplicate custom id, and bad fields, naming the field', async () => {
    const unknown = await api('POST', '/jobs', { task_name: 'process_dat' });
    expect(unknown).toMatchObject({ status: 400, body: { detail: 'Task not found: process_dat', field: 'task_name' } });
    expect((await api('POST', '/jobs', { task_name: 'process_data', version: '9.9' })).body.detail).toBe('Task not found: process_data (version 9.9)');
    expect((await api('POST', '/jobs', { task_name: 'process_data', job_id: 'custom-job-id' })).status).toBe(200);
    const duplicate = await api('POST', '/jobs', { task_name: 'process_data', job_id: 'custom-job-id' });
    expect(duplicate.status).toBe(409);
    for (const [body, field] of [
      [{ task_name: 'process_data', priority: 'urgent' }, /priority: must be one of/],
      [{ task_name: 'process_data', args: 'x' }, /args: must be an array/],
      [{ task_name: 'process_data', scheduled_at: 'tomorrow' }, /scheduled_at: /],
      [{ task_name: 'process_data', max_retries: -1 }, /max_retries: must be >= 0/],
      [{ task_name: 'process_data', queue_name: 'has space' }, /queue_name: /],
      [{ args: [] }, /task_name: is required/],
      [{ task_name: 'process_data', surprise: 1 }, /surprise: unknown field/],
    ] as const) {
      const response = await api('POST', '/jobs', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect(response.body.detail).toMatch(field);
    }
  });

  it('fires a job scheduled in the future at that instant, not before', async () => {
    const at = clock.now() + 90_000;
    const created = await api('POST', '/jobs', { task_name: 'generate_report', args: ['later'], scheduled_at: new Date(at).toISOString() });
    await clock.advance(89_999);
    // Claimed a few ms ahead (reserved) at most; not started.
    expect((await api('GET', `/jobs/${created.body.id}`)).body).toMatchObject({ status: expect.stringMatching(/^(pending|reserved)$/), started_at: null });
    await clock.advance(1);
    await finalStatus(created.body.id, 'completed');
    expect((await api('GET', `/jobs/${created.body.id}`)).body.started_at).toBe(new Date(at).toISOString());
  });

  it('lists with every seed 003 filter and the pagination shape', async () => {
    for (const priority of ['low', 'critical', 'normal'] as const) {
      await api('POST', '/jobs', { task_name: 'generate_report', priority, tags: ['listing', priority], queue_name: 'listing', scheduled_at: new Date(clock.now() + 3_600_000).toISOString() });
    }
    const page = await api('GET', '/jobs?queue_name=listing&limit=2&offset=0&order_by=priority&order_dir=asc');
    expect(page.body).toMatchObject({ total: 3, page: 1, page_size: 2, pages: 2 });
    expect(page.body.items.map((j: { priority: string }) => j.priority)).toEqual(['critical', 'normal']);
    expect((await api('GET', '/jobs?queue_name=listing&limit=2&offset=2')).body.page).toBe(2);
    expect((await api('GET', '/jobs?queue_name=listing&priority=low')).body.total).toBe(1);
    expect((await api('GET', '/jobs?tags=listing&tags=critical')).body.total).toBe(1);
    expect((await api('GET', '/jobs?queue_name=listing&status=pending&status=running')).body.total).toBe(3);
    expect((await api('GET', '/jobs?queue_name=listing&status=completed')).body.total).toBe(0);
    const worker = (await api('GET', '/jobs?status=completed&limit=1')).body.items[0].worker_id;
    expect((await api('GET', `/jobs?worker_id=${worker}&status=completed`)).body.total).toBeGreaterThan(0);
    expect((await api('GET', '/jobs?order_by=bogus')).status).toBe(400);
    expect((await api('GET', '/jobs?limit=0')).status).toBe(400);
    expect((await api('GET', '/jobs?status=finished')).body.detail).toMatch(/status/);
  });

  it('pages by cursor with the filters, without counting, and refuses a bad cursor naming it', async () => {
    for (const priority of ['low', 'critical', 'normal', 'high'] as const) {
      await api('POST', '/jobs', { task_name: 'generate_report', priority, queue_name: 'paging', scheduled_at: new Date(clock.now() + 3_600_000).toISOString() });
    }
    const filter = 'queue_name=paging&status=pending&order_by=priority&order_dir=asc&limit=3';
    const first = await api('GET', `/jobs?${filter}&count=false`);
    expect(first.body).toMatchObject({ total: null, page: null, pages: null, page_size: 3, next_cursor: expect.any(String) });
    const second = await api('GET', `/jobs?${filter}&cursor=${first.body.next_cursor}`);
    expect(second.body).toMatchObject({ total: null, next_cursor: null });
    const priorities = [...first.body.items, ...second.body.items].map((j: { priority: string }) => j.priority);
    expect(priorities).toEqual(['critical', 'high', 'normal', 'low']);
    // Offset paging is as documented, with the cursor of its page too.
    expect((await api('GET', `/jobs?${filter}`)).body).toMatchObject({ total: 4, page: 1, pages: 2, next_cursor: first.body.next_cursor });
    for (const [cursor, problem] of [
      ['not-a-cursor', /cursor: not a cursor/],
      [Buffer.from('["created_at","asc",1,2]').toString('base64url'), /cursor: was made for order_by=created_at/],
      [Buffer.from('["priority","asc","x",2]').toString('base64url'), /cursor: not a cursor/],
    ] as const) {
      const refused = await api('GET', `/jobs?${filter}&cursor=${cursor}`);
      expect(refused.status).toBe(400);
      expect(refused.body).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'cursor', detail: expect.stringMatching(problem) });
    }
    expect((await api('GET', `/jobs?${filter}&offset=3&cursor=${first.body.next_cursor}`)).body).toMatchObject({ field: 'cursor' });
  });

  it('cancels a pending job at once and a running one through its AbortSignal', async () => {
    const pending = await api('POST', '/jobs', { task_name: 'process_data', scheduled_at: new Date(clock.now() + 60_000).toISOString() });
    const cancelled = await api('POST', `/jobs/${pending.body.id}/cancel`, { reason: 'User-initiated cancellation' });
    expect(cancelled.body).toMatchObject({ status: 'cancelled', error: { message: 'User-initiated cancellation', type: 'Cancelled' } });
    expect((await api('POST', `/jobs/${pending.body.id}/cancel`)).status).toBe(409);

    const running = await api('POST', '/jobs', { task_name: 'slow' });
    await waitFor(() => started.includes(running.body.id), 5000, 'the slow task to start');
    const answer = await api('POST', `/jobs/${running.body.id}/cancel`);
    expect(answer.status).toBe(200);
    await finalStatus(running.body.id, 'cancelled');
    expect(slowSignal?.aborted).toBe(true);
    expect((await api('POST', '/jobs/nope/cancel')).status).toBe(404);
  });

  it('times out a handler that overruns, and retries a failed job on request', async () => {
    const job = await api('POST', '/jobs', { task_name: 'slow', timeout: 5 });
    await waitFor(() => started.includes(job.body.id), 5000, 'the slow task to start');
    await clock.advance(4_999);
    expect((await api('GET', `/jobs/${job.body.id}`)).body.status).toBe('running');
    await clock.advance(1);
    await finalStatus(job.body.id, 'timeout');
    expect((await api('GET', `/jobs/${job.body.id}`)).body.error).toMatchObject({ type: 'Timeout' });

    const failed = await api('POST', '/jobs', { task_name: 'explode' });
    await finalStatus(failed.body.id, 'failed');
    const error = (await api('GET', `/jobs/${failed.body.id}`)).body.error;
    expect(error).toMatchObject({ message: 'report exploded', type: 'TypeError' });
    expect(error.traceback).toMatch(/TypeError: report exploded/);
    const retried = await api('POST', `/jobs/${failed.body.id}/retry`);
    expect(retried.body).toMatchObject({ status: 'pending', retry_count: 0, error: null });
    await finalStatus(failed.body.id, 'failed');
    const completed = (await api('GET', '/jobs?status=completed&limit=1')).body.items[0];
    expect((await api('POST', `/jobs/${completed.id}/retry`)).status).toBe(409);
  });

  it('retries a failing task after retry_delay, exactly, up to max_retries', async () => {
    flakyCalls = 0;
    const job = await api('POST', '/jobs', { task_name: 'flaky' });
    await waitFor(() => flakyCalls === 1, 5000, 'the first attempt');
    await waitFor(async () => (await api('GET', `/jobs/${job.body.id}`)).body.status === 'retrying');
    await clock.advance(29_999);
    expect(flakyCalls).toBe(1);
    await clock.advance(1);
    await waitFor(() => flakyCalls === 2, 5000, 'the second attempt');
    await waitFor(async () => (await api('GET', `/jobs/${job.body.id}`)).body.status === 'retrying');
    await clock.advance(30_000);
    await finalStatus(job.body.id, 'completed');
    expect((await api('GET', `/jobs/${job.body.id}`)).body).toMatchObject({ result: 'third time lucky', retry_count: 2 });
  });

  it('runs a job synchronously: result, task error, timeout', async () => {
    const ok = await api('POST', '/jobs/run-sync', { task_name: 'generate_report', args: ['daily'] });
    expect(ok).toMatchObject({ status: 200, body: 'report:daily' });
    const error = await api('POST', '/jobs/run-sync', { task_name: 'explode' });
    expect(error).toMatchObject({ status: 422, body: { detail: 'report exploded', code: 'TASK_FAILED' } });
    const slow = server.app.inject({ method: 'POST', url: '/api/v1/jobs/run-sync', payload: { task_name: 'slow', timeout: 3 }, headers: auth });
    await waitFor(() => started.length > 0 && slowSignal !== null && !slowSignal.aborted, 5000, 'the slow task to start');
    await clock.advance(3_000);
    const timedOut = await slow;
    expect(timedOut.statusCode).toBe(504);
    expect(timedOut.json()).toMatchObject({ code: 'RUN_TIMEOUT' });
    expect((await api('POST', '/jobs/run-sync', { task_name: 'missing' })).status).toBe(400);
    expect((await api('POST', '/jobs/run-sync', { task_name: 'slow', timeout: 0 })).body).toMatchObject({ code: 'INVALID_ARGUMENT', field: 'timeout' });
  });

  it('refuses run-sync at once when no live worker serves the queue, unless asked to wait', async () => {
    const before = (await api('GET', '/jobs?queue_name=nobody-here')).body.total;
    const refused = await api('POST', '/jobs/run-sync', { task_name: 'generate_report', args: ['x'], queue_name: 'nobody-here' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ code: 'NO_WORKER', field: 'queue_name' });
    expect(refused.body.detail).toContain('"nobody-here"');
    expect((await api('GET', '/jobs?queue_name=nobody-here')).body.total).toBe(before);
    // A worker that died (its pid gone) does not count.
    const dead = (await server.store.listWorkers())[0]!;
    await server.store.saveWorker({ ...dead, id: 'dead-worker', pid: 2 ** 22 + 7, queues: ['ghost-queue'] });
    expect((await api('POST', '/jobs/run-sync', { task_name: 'generate_report', queue_name: 'ghost-queue' })).status).toBe(409);
    // wait: true holds the request until the timeout instead.
    const waiting = server.app.inject({ method: 'POST', url: '/api/v1/jobs/run-sync', payload: { task_name: 'generate_report', queue_name: 'nobody-here', timeout: 2, wait: true }, headers: auth });
    await waitFor(async () => (await api('GET', '/jobs?queue_name=nobody-here')).body.total === before + 1, 5000, 'the waiting job to be created');
    await clock.advance(2_000);
    expect((await waiting).statusCode).toBe(504);
  });

  it('counts run-sync\'s timeout from the request, even when the insert answers after the job is visible', async () => {
    // A server of its own without metrics, whose store is the bare one a spy can hold.
    const ownClock = new VirtualClock(T0);
    const own = await startTestServer({ clock: ownClock, taskDefinitions: tasks, metrics: false });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = own.store.insertJobs.bind(own.store);
    const inserts = vi.spyOn(own.store, 'insertJobs').mockImplementation(async (jobs) => {
      await original(jobs);
      await held;
    });
    try {
      let answer: { statusCode: number; json(): any } | null = null;
      void own.app
        .inject({ method: 'POST', url: '/api/v1/jobs/run-sync', payload: { task_name: 'generate_report', queue_name: 'late-insert', timeout: 2, wait: true }, headers: auth })
        .then((response) => (answer = response));
      const listed = async () =>
        (await own.app.inject({ method: 'GET', url: '/api/v1/jobs?queue_name=late-insert', headers: auth })).json().total;
      await waitFor(async () => (await listed()) === 1, 5000, 'the job to be visible');
      await ownClock.advance(2_000);
      release();
      await waitFor(() => answer !== null, 5000, 'run-sync to answer once its timeout has passed');
      expect(answer!.statusCode).toBe(504);
      expect(answer!.json()).toMatchObject({ code: 'RUN_TIMEOUT' });
    } finally {
      release();
      inserts.mockRestore();
      await own.close();
    }
  });

  it('counts jobs in stats, by queue and priority, with mean wait and run times', async () => {
    const stats = (await api('GET', '/jobs/stats')).body;
    const listed = (await api('GET', '/jobs?limit=1000')).body.items as { status: string; queue_name: string; priority: string }[];
    expect(stats.total_jobs).toBe(listed.length);
    for (const status of ['pending', 'running', 'completed', 'failed', 'cancelled', 'timeout'] as const) {
      expect(stats[`${status}_jobs`], status).toBe(listed.filter((j) => j.status === status).length);
    }
    expect(stats.by_queue.listing.total_jobs).toBe(3);
    expect(stats.by_priority.critical).toBe(listed.filter((j) => j.priority === 'critical').length);
    expect(typeof stats.avg_wait_time).toBe('number');
    expect(stats.avg_run_time).toBeGreaterThanOrEqual(0);
  });

  it('shares one stats walk among the requests that come during another, each counting the jobs created before it', async () => {
    // A server of its own without metrics, whose store is the bare one a spy can hold.
    const own = await startTestServer({ clock: new VirtualClock(T0), taskDefinitions: tasks, metrics: false });
    const ask = (method: 'GET' | 'POST', url: string, payload?: object) =>
      own.app.inject({ method, url: `/api/v1${url}`, payload, headers: auth });
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    const original = own.store.jobStats.bind(own.store);
    const walks = vi.spyOn(own.store, 'jobStats').mockImplementation(async () => {
      if (walks.mock.calls.length === 1) await held;
      return original();
    });
    const reads = vi.spyOn(SharedRead.prototype, 'read');
    try {
      const first = ask('GET', '/jobs/stats');
      await waitFor(async () => walks.mock.calls.length === 1, 5000, 'the first walk to start');
      expect((await ask('POST', '/jobs', { task_name: 'generate_report', queue_name: 'shared-stats', args: [1] })).statusCode).toBe(200);
      const during = Array.from({ length: 4 }, () => ask('GET', '/jobs/stats'));
      await waitFor(async () => reads.mock.calls.length === 5, 5000, 'the four requests to ask for the stats');
      expect(walks.mock.calls.length).toBe(1);
      release();
      const answers = await Promise.all(during);
      expect((await first).statusCode).toBe(200);
      expect(walks.mock.calls.length).toBe(2);
      for (const answer of answers) {
        expect(answer.statusCode).toBe(200);
        expect(answer.json().by_queue['shared-stats']?.total_jobs).toBe(1);
      }
    } finally {
      release();
      reads.mockRestore();
      walks.mockRestore();
      await own.close();
    }
  });
});

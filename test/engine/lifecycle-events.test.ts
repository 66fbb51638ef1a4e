/**
 * The lifecycle event stream on a virtual clock: what a job's life emits, in order, with the
 * fields consumers (metrics, logs, the live feed, hooks) read.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { LifecycleEvent } from '../../src/core/lifecycle-events.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer, testToken, type TestServerOptions } from '../support/server.js';

describe('lifecycle events', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer;
  let events: LifecycleEvent[];

  async function setup(options: TestServerOptions = {}): Promise<void> {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    server = await startTestServer({ clock, appUrl, ...options });
    events = [];
    server.events.subscribe((event) => events.push(event));
  }

  afterEach(async () => {
    await server.close();
    await receiver.stop();
  });

  async function run(steps: number, stepMs: number): Promise<void> {
    for (let i = 0; i < steps; i++) {
      await clock.advance(stepMs);
      await waitFor(() => server.engine.activeJobs === 0, 5000, 'callbacks to finish');
      await server.engine.flush();
    }
  }

  it('a Dapr job that fails twice then succeeds: created, fired, retried, fired, retried, fired, succeeded', async () => {
    await setup();
    let calls = 0;
    receiver.respond = () => (++calls <= 2 ? 503 : 200);
    const created = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/flaky', payload: { dueTime: '1s', data: { user_id: 'u1' } } });
    expect(created.statusCode).toBe(200);
    await run(8, 500);

    const jobEvents = events.filter((e) => e.type.startsWith('job.'));
    expect(jobEvents.map((e) => e.type)).toEqual([
      'job.created',
      'job.fired',
      'job.retried',
      'job.fired',
      'job.retried',
      'job.fired',
      'job.succeeded',
    ]);
    expect(events[0]).toMatchObject({ type: 'schedule.changed', change: 'created', name: 'flaky' });
    const fired = jobEvents.filter((e) => e.type === 'job.fired');
    expect(fired.map((e) => e.type === 'job.fired' && e.job.attempt)).toEqual([1, 2, 3]);
    expect(fired.map((e) => e.type === 'job.fired' && e.lateMs)).toEqual([0, 0, 0]);
    const retried = jobEvents.find((e) => e.type === 'job.retried');
    expect(retried).toMatchObject({ job: { name: 'flaky', target: 'callback' }, httpStatus: 503, outcome: 'retrying', retryAt: T0 + 2000 });
    const succeeded = jobEvents[jobEvents.length - 1];
    expect(succeeded).toMatchObject({ job: { name: 'flaky', occurrence: T0 + 1000 }, httpStatus: 200, outcome: 'succeeded', error: null });
    expect(JSON.parse(succeeded!.type === 'job.succeeded' ? succeeded.job.payload : '{}')).toEqual({ user_id: 'u1' });
  });

  it('a callback whose retries run out is dead-lettered; a requeue and a delete are reported', async () => {
    await setup({ maxRetries: 0 });
    receiver.respond = () => 500;
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/broken', payload: { dueTime: '1s' } });
    await run(4, 500);
    const dead = events.find((e) => e.type === 'job.dead_lettered');
    expect(dead).toMatchObject({ outcome: 'dead_lettered', httpStatus: 500, job: { name: 'broken', attempt: 1 } });
    expect(dead?.type === 'job.dead_lettered' && dead.error?.message).toContain('HTTP 500');

    const letters = (await server.app.inject({ url: '/v1.0/dead-letters' })).json().dead_letters;
    await server.app.inject({ method: 'POST', url: `/v1.0/dead-letters/${letters[0].id}/retry` });
    // The requeued job is due at once and may fire meanwhile: look the events up by type.
    expect(events.find((e) => e.type === 'job.requeued')).toMatchObject({ job: { jobId: letters[0].id } });
    await server.app.inject({ method: 'DELETE', url: '/v1.0/jobs/broken' });
    expect(events.find((e) => e.type === 'schedule.changed' && e.change === 'deleted')).toMatchObject({ name: 'broken' });
  });

  it('platform jobs, queues and schedules: created, failed for good, cancelled, queue and schedule changes', async () => {
    const tasks = [
      defineTask({ name: 'boom', queue: 'default', max_retries: 0, handler: () => { throw new Error('kaboom'); } }),
      defineTask({ name: 'noop', queue: 'default', handler: () => 'ok' }),
    ];
    await setup({ taskDefinitions: tasks });
    const auth = { authorization: `Bearer ${await testToken('admin')}` };
    const post = async (url: string, payload: object | undefined = {}) => {
      const response = await server.app.inject({ method: 'POST', url, ...(payload ? { payload } : {}), headers: auth });
      expect(response.statusCode, response.body).toBeLessThan(300);
      return response.body ? response.json() : null;
    };
    const failing = await post('/api/v1/jobs', { task_name: 'boom' });
    await run(2, 10);
    expect(events.find((e) => e.type === 'job.created')).toMatchObject({ job: { jobId: failing.id, target: 'task', queue: 'default', taskName: 'boom' } });
    expect(events.find((e) => e.type === 'job.failed')).toMatchObject({ job: { jobId: failing.id }, outcome: 'failed', error: { message: 'kaboom' } });

    const later = await post('/api/v1/jobs', { task_name: 'noop', scheduled_at: new Date(T0 + 60_000).toISOString() });
    await post(`/api/v1/jobs/${later.id}/cancel`);
    expect(events.at(-1)).toMatchObject({ type: 'job.cancelled', job: { jobId: later.id }, outcome: null });

    await post('/api/v1/queues/default/pause', undefined);
    expect(events.at(-1)).toMatchObject({ type: 'queue.changed', queue: 'default', change: 'paused' });
    await post('/api/v1/queues/default/resume', undefined);
    expect(events.at(-1)).toMatchObject({ type: 'queue.changed', queue: 'default', change: 'resumed' });

    const schedule = await post('/api/v1/schedules', { name: 'nightly', task_name: 'noop', cron_expression: '0 3 * * *' });
    expect(events.at(-1)).toMatchObject({ type: 'schedule.changed', scheduleId: schedule.id, change: 'created', dialect: 'v1' });
    await post(`/api/v1/schedules/${schedule.id}/pause`);
    expect(events.at(-1)).toMatchObject({ type: 'schedule.changed', change: 'paused' });
  });

  it('a listener that throws is reported and does not stop firing', async () => {
    await setup();
    server.events.subscribe(() => {
      throw new Error('listener bug');
    });
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/still-fires', payload: { dueTime: '1s' } });
    await run(3, 500);
    expect(receiver.forJob('still-fires')).toHaveLength(1);
    expect(events.map((e) => e.type)).toContain('job.succeeded');
  });
});

/**
 * Failure handling on a virtual clock: retry policies, dead letters, Dapr's 404, timeouts,
 * dead leases, retention.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0, callbackTemplate, newJob, noNext } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer, type TestServerOptions } from '../support/server.js';

describe('failures on a virtual clock', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer;

  async function setup(options: TestServerOptions = {}): Promise<void> {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    server = await startTestServer({ clock, appUrl, ...options });
  }

  afterEach(async () => {
    await server.close();
    await receiver.stop();
  });

  const post = async (url: string, payload: object) => {
    const response = await server.app.inject({ method: 'POST', url, payload });
    expect(response.statusCode, response.body).toBeLessThan(300);
  };

  /** Advances in steps, letting each step's callbacks and outcomes land. */
  async function run(steps: number, stepMs: number): Promise<void> {
    for (let i = 0; i < steps; i++) {
      await clock.advance(stepMs);
      await waitFor(() => server.engine.activeJobs === 0, 5000, 'callbacks to finish');
      await server.engine.flush();
    }
  }

  it('retries a failing callback per the default policy (1 s × 3), then dead-letters it', async () => {
    await setup();
    receiver.respond = () => 500;
    await post('/v1.0/jobs/flaky', { dueTime: '1s', data: { n: 1 } });
    await run(10, 500);
    const times = receiver.received.map((r) => r.headers['chime-attempt']);
    expect(times).toEqual(['1', '2', '3', '4']);
    const history = (await server.app.inject({ url: '/v1.0/jobs/flaky/history' })).json().history;
    expect(history.map((h: { outcome: string; actual_time: string }) => [h.outcome, h.actual_time]).reverse()).toEqual([
      ['retrying', new Date(T0 + 1000).toISOString()],
      ['retrying', new Date(T0 + 2000).toISOString()],
      ['retrying', new Date(T0 + 3000).toISOString()],
      ['dead_lettered', new Date(T0 + 4000).toISOString()],
    ]);
    expect(history[0].http_status).toBe(500);
    const dead = (await server.app.inject({ url: '/v1.0/dead-letters' })).json();
    expect(dead.total).toBe(1);
    expect(dead.dead_letters[0]).toMatchObject({ job_name: 'flaky', status: 'failed', attempts: 4, data: { n: 1 } });
    expect((await server.app.inject({ url: '/v1.0/jobs/flaky' })).json().status).toBe('failed');

    // A dead letter can be sent again once the app is fixed.
    receiver.respond = () => 200;
    const retry = await server.app.inject({ method: 'POST', url: `/v1.0/dead-letters/${dead.dead_letters[0].id}/retry` });
    expect(retry.statusCode).toBe(200);
    await run(2, 10);
    expect(receiver.received).toHaveLength(5);
    expect((await server.app.inject({ url: '/v1.0/dead-letters' })).json().total).toBe(0);
    expect((await server.app.inject({ url: '/v1.0/jobs/flaky' })).json().status).toBe('completed');
  });

  it('honours a per-job constant policy and the server-wide default', async () => {
    await setup({ maxRetries: 1, retryIntervalMs: 5000 });
    receiver.respond = () => 503;
    await post('/v1.0/jobs/server-default', { dueTime: '1s' });
    await post('/v1.0-alpha1/jobs/per-job', { dueTime: '1s', failure_policy: { constant: { interval: '2s', max_retries: 2 } } });
    await run(20, 500);
    const attemptsAt = (name: string) => receiver.forJob(name).map((r) => Math.round(r.at));
    expect(receiver.forJob('server-default')).toHaveLength(2);
    expect(receiver.forJob('per-job')).toHaveLength(3);
    expect(attemptsAt('per-job')).toHaveLength(3);
    const history = (await server.app.inject({ url: '/v1.0/jobs/per-job/history' })).json().history;
    expect(history.map((h: { actual_time: string }) => h.actual_time).reverse()).toEqual([
      new Date(T0 + 1000).toISOString(),
      new Date(T0 + 3000).toISOString(),
      new Date(T0 + 5000).toISOString(),
    ]);
  });

  it('drops a job after its first failure under the drop policy', async () => {
    await setup();
    receiver.respond = () => 500;
    await post('/v1.0-alpha1/jobs/dropped', { dueTime: '1s', failurePolicy: { drop: {} } });
    await run(6, 1000);
    expect(receiver.received).toHaveLength(1);
    expect((await server.app.inject({ url: '/v1.0/dead-letters' })).json().total).toBe(1);
  });

  it('counts a Dapr-style 404 as delivered, without retry', async () => {
    await setup({ callbackStyle: 'dapr' });
    receiver.respond = () => 404;
    await post('/v1.0/jobs/no-handler', { dueTime: '1s' });
    await run(6, 1000);
    expect(receiver.received).toHaveLength(1);
    expect(receiver.received[0]!.path).toBe('/job/no-handler');
    expect((await server.app.inject({ url: '/v1.0/jobs/no-handler' })).json().status).toBe('completed');
  });

  it('treats a seed-style 404 as a failure', async () => {
    await setup({ callbackStyle: 'envelope', maxRetries: 0 });
    receiver.respond = () => 404;
    await post('/v1.0-alpha1/jobs/seed-404', { dueTime: '1s' });
    await run(3, 1000);
    expect(receiver.received[0]!.path).toBe('/api/jobs/trigger');
    expect((await server.app.inject({ url: '/v1.0/jobs/seed-404' })).json().status).toBe('failed');
  });

  it('times out a callback after JOB_TIMEOUT and retries it', async () => {
    await setup({ jobTimeoutMs: 2000, maxRetries: 1, retryIntervalMs: 1000 });
    let release: () => void = () => {};
    const hung = new Promise<number>((resolve) => (release = () => resolve(200)));
    receiver.respond = () => (receiver.received.length === 1 ? hung : 200);
    await post('/v1.0/jobs/slow', { dueTime: '1s' });
    await clock.advance(1000);
    await waitFor(() => receiver.received.length === 1);
    await clock.advance(1999);
    expect(server.engine.activeJobs).toBe(1);
    await clock.advance(1);
    await waitFor(() => server.engine.activeJobs === 0);
    await server.engine.flush();
    await clock.advance(1000);
    await waitFor(() => receiver.received.length === 2);
    release();
    await waitFor(async () => (await server.app.inject({ url: '/v1.0/jobs/slow' })).json().status === 'completed');
    const history = (await server.app.inject({ url: '/v1.0/jobs/slow/history' })).json().history;
    expect(history.map((h: { outcome: string }) => h.outcome).reverse()).toEqual(['retrying', 'succeeded']);
    expect(history[1].error).toMatch(/timed out after 2000 ms/);
  });

  it("takes back a dead node's job when its lease expires and delivers it", async () => {
    await setup({ leaseMs: 3000 });
    // Due a little ahead, so this engine's timer cannot claim it before the "dead node" does.
    const job = newJob({ runAt: T0 + 500, name: 'orphan', dialect: 'envelope' }, callbackTemplate());
    await server.store.insertJobs([job]);
    // Another node claims it and dies without a word.
    const [claimed] = await server.store.claimDue({ lane: { target: 'callback' }, now: T0 + 500, limit: 1, owner: 'dead-node', leaseMs: 3000, planNext: noNext });
    expect(claimed?.id).toBe(job.id);
    await run(3, 1000);
    expect(receiver.received).toHaveLength(0);
    await run(3, 1000);
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]!.headers['chime-attempt']).toBe('2');
    await server.engine.whenIdle();
    const history = await server.store.listHistory({ jobId: job.id, limit: 10 });
    expect(history.map((h) => h.outcome).reverse()).toEqual(['lease_expired', 'succeeded']);
  });

  it('removes finished jobs and their history after the retention period', async () => {
    await setup({ retentionMs: 3_600_000 });
    await post('/v1.0/jobs/short-lived', { dueTime: '1s' });
    await run(2, 1000);
    expect((await server.app.inject({ url: '/v1.0/jobs/short-lived' })).statusCode).toBe(200);
    await clock.advance(2 * 3_600_000 + 1000);
    await waitFor(async () => (await server.app.inject({ url: '/v1.0/jobs/short-lived' })).statusCode === 404, 5000, 'cleanup');
  });
});

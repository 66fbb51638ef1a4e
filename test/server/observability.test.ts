/**
 * Metrics, logs and probes of an in-process server on a virtual clock: one callback that
 * fails until it is dead-lettered, read back from /metrics and from the JSON log lines.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { instrumentStore } from '../../src/server/instrumented-store.js';
import { createLogger } from '../../src/server/logger.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { T0 } from '../support/fixtures.js';
import { Receiver } from '../support/receiver.js';
import { defineTask } from '../../src/core/tasks.js';
import { tempDbPath } from '../support/temp.js';
import { advanceInSteps, startTestServer, TEST_JWT_SECRET, testToken, type TestServerOptions } from '../support/server.js';

/** The value of one sample line of a Prometheus text exposition, or undefined. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(`${name}{`) && !line.startsWith(`${name} `)) continue;
    const match = /^[^{ ]+(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!match) continue;
    const have = Object.fromEntries([...(match[1] ?? '').matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (Object.entries(labels).every(([k, v]) => have[k] === v)) return Number(match[2]);
  }
  return undefined;
}

describe('observability', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer;
  let lines: string[];

  async function setup(options: TestServerOptions = {}): Promise<void> {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    lines = [];
    const appUrl = await receiver.start();
    server = await startTestServer({
      clock,
      appUrl,
      maxRetries: 2,
      logLevel: 'info',
      logger: createLogger('info', { format: 'json', write: (line) => lines.push(line) }),
      ...options,
    });
  }

  afterEach(async () => {
    await server.close();
    await receiver.stop();
  });

  const run = (steps: number, stepMs: number) => advanceInSteps(server, clock, steps, stepMs);

  it('counts attempts by outcome, lateness, HTTP statuses, dead letters and store operations; logs each failed firing', async () => {
    await setup();
    receiver.respond = (request) => (request.path.includes('/job/ok') || (request.body as { job_name?: string })?.job_name === 'ok' ? 200 : 500);
    for (const name of ['ok', 'broken']) {
      const created = await server.app.inject({ method: 'POST', url: `/v1.0/jobs/${name}`, payload: { dueTime: '1s', data: { name } } });
      expect(created.statusCode, created.body).toBeLessThan(300);
    }
    await run(8, 500);
    const response = await server.app.inject({ url: '/metrics' });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain/);
    const text = response.body;
    const callback = { lane: 'callback', queue: '$callbacks' };
    expect(sample(text, 'chime_job_attempts_total', { ...callback, outcome: 'succeeded' })).toBe(1);
    expect(sample(text, 'chime_job_attempts_total', { ...callback, outcome: 'retrying' })).toBe(2);
    expect(sample(text, 'chime_job_attempts_total', { ...callback, outcome: 'dead_lettered' })).toBe(1);
    expect(sample(text, 'chime_callback_http_status_total', { code: '500' })).toBe(3);
    expect(sample(text, 'chime_callback_http_status_total', { code: '200' })).toBe(1);
    expect(sample(text, 'chime_dead_letters')).toBe(1);
    expect(sample(text, 'chime_claims_total', { lane: 'callback' })).toBe(4);
    // A virtual clock fires exactly on time: every firing lands in the first bucket.
    expect(sample(text, 'chime_fire_lateness_seconds_bucket', { lane: 'callback', le: '0.001' })).toBe(4);
    expect(sample(text, 'chime_fire_lateness_seconds_count', { lane: 'callback' })).toBe(4);
    expect(sample(text, 'chime_job_duration_seconds_count', callback)).toBe(4);
    expect(sample(text, 'chime_store_operation_seconds_count', { operation: 'claimDue' })).toBeGreaterThan(0);
    expect(sample(text, 'chime_store_errors_total', { operation: 'claimDue' }) ?? 0).toBe(0);
    expect(sample(text, 'chime_build_info', { store: server.store.backend })).toBe(1);
    expect(sample(text, 'chime_clock_offset_seconds')).toBe(0);
    expect(sample(text, 'chime_leases_expired_total')).toBe(0);
    expect(sample(text, 'nodejs_eventloop_lag_seconds')).toBeGreaterThanOrEqual(0);
    expect(text).not.toMatch(/broken|"ok"/);

    const records = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const failures = records.filter((r) => r.level === 'warn' && r.job_name === 'broken');
    expect(failures.map((r) => [r.attempt, r.outcome, r.http_status])).toEqual([
      [1, 'retrying', 500],
      [2, 'retrying', 500],
      [3, 'dead_lettered', 500],
    ]);
    expect(failures[2]).toMatchObject({ queue: '$callbacks', node: expect.any(String), job_id: expect.any(String) });
    expect(failures[2]!.msg).toMatch(/job broken attempt 3 dead-lettered: app answered HTTP 500/);
    expect(lines.join('')).not.toContain(TEST_JWT_SECRET);
  });

  it('counts waiting jobs per lane and queue', async () => {
    await setup({ taskDefinitions: [defineTask({ name: 'report', queue: 'reports', handler: () => null })] });
    const token = await testToken();
    const paused = await server.app.inject({ method: 'POST', url: '/api/v1/queues/reports/pause', headers: { authorization: `Bearer ${token}` } });
    expect(paused.statusCode, paused.body).toBeLessThan(300);
    const created = await server.app.inject({
      method: 'POST',
      url: '/api/v1/jobs',
      headers: { authorization: `Bearer ${token}` },
      payload: { task_name: 'report', args: [] },
    });
    expect(created.statusCode, created.body).toBeLessThan(300);
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/later', payload: { dueTime: '1h' } });
    const text = (await server.app.inject({ url: '/metrics' })).body;
    expect(sample(text, 'chime_jobs', { lane: 'task', queue: 'reports', status: 'waiting' })).toBe(1);
    expect(sample(text, 'chime_jobs', { lane: 'callback', queue: '$callbacks', status: 'waiting' })).toBe(1);
    expect(lines.join('')).not.toContain(token);
  });

  it('with --metrics off serves no /metrics and subscribes neither metrics nor the event log', async () => {
    // --no-ui too: the dashboard, when on, reads the stream from the start (its charts, its feed).
    await setup({ metrics: false, ui: false, logLevel: 'error', logger: createLogger('error', { format: 'json', write: (line) => lines.push(line) }) });
    expect(server.metrics).toBeNull();
    expect((await server.app.inject({ url: '/metrics' })).statusCode).toBe(404);
    // The failure hooks are the one listener left: any job may name a hook URL.
    expect(server.events.listenerCount).toBe(1);
  });

  it('answers /livez, /readyz and /healthz, and carries a request id', async () => {
    await setup();
    expect((await server.app.inject({ url: '/livez' })).statusCode).toBe(204);
    const ready = await server.app.inject({ url: '/readyz', headers: { 'x-request-id': 'probe-1' } });
    expect(ready.statusCode).toBe(204);
    expect(ready.headers['x-request-id']).toBe('probe-1');
    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(204);
  });
});

describe('instrumented store', () => {
  it('times every operation and counts the failed ones, passing results and errors through', async () => {
    const seen: [string, boolean][] = [];
    const store = instrumentStore(createSqliteStore({ path: tempDbPath() }), {
      operation: (name, seconds, failed) => {
        expect(seconds).toBeGreaterThanOrEqual(0);
        seen.push([name, failed]);
      },
      claimed: () => {},
    });
    await store.open();
    expect(await store.getJob('missing')).toBeNull();
    await store.close();
    await expect(store.getJob('missing')).rejects.toThrow();
    expect(seen).toEqual([
      ['getJob', false],
      ['getJob', true],
    ]);
  });
});

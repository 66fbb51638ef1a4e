/**
 * Per-job delivery on a virtual clock, on every store backend: targets and body shapes,
 * signatures (checked with the standardwebhooks package), the outbound guard at creation,
 * at connect time and on redirects, Retry-After, failure and success hooks, the answer kept
 * in the history, and the Dapr API tokens.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import { generateWebhookSecret } from '../../src/runtime/delivery/webhook-signing.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0, callbackTemplate, newJob, noNext } from '../support/fixtures.js';
import { Receiver, waitFor, type Received } from '../support/receiver.js';
import { startTestServer, testToken, type TestServerOptions } from '../support/server.js';

const SECRET = generateWebhookSecret();

describe('per-job delivery', () => {
  let clock: VirtualClock;
  let app: Receiver;
  let target: Receiver;
  let hook: Receiver;
  let outside: Receiver;
  let urls: { app: string; target: string; hook: string; outside: string };
  let server: ChimeServer;
  let auth: Record<string, string>;

  async function setup(given: TestServerOptions | ((u: typeof urls) => TestServerOptions) = {}): Promise<void> {
    clock = new VirtualClock(T0);
    [app, target, hook, outside] = [new Receiver(), new Receiver(), new Receiver(), new Receiver()];
    urls = { app: await app.start(), target: await target.start(), hook: await hook.start(), outside: await outside.start() };
    const hostOf = (url: string) => new URL(url).host;
    const options = typeof given === 'function' ? given(urls) : given;
    server = await startTestServer({
      clock,
      appUrl: urls.app,
      allowTarget: [hostOf(urls.target), hostOf(urls.hook), 'localhost'],
      webhookSecret: [SECRET],
      taskDefinitions: [defineTask({ name: 'explode', max_retries: 0, handler: () => { throw new TypeError('task exploded'); } })],
      ...options,
    });
    auth = { authorization: `Bearer ${await testToken('admin')}` };
  }

  afterEach(async () => {
    await server?.close();
    for (const receiver of [app, target, hook, outside]) await receiver?.stop();
  });

  const inject = (method: 'POST' | 'GET', url: string, payload?: object, headers: Record<string, string> = {}) =>
    server.app.inject({ method, url, payload, headers: url.startsWith('/api/v1') ? { ...auth, ...headers } : headers });

  async function create(url: string, payload: object): Promise<any> {
    const response = await inject('POST', url, payload);
    expect(response.statusCode, response.body).toBeLessThan(300);
    return response.body ? response.json() : null;
  }

  async function run(steps: number, stepMs: number): Promise<void> {
    for (let i = 0; i < steps; i++) {
      await clock.advance(stepMs);
      await waitFor(() => server.engine.activeJobs === 0, 5000, 'callbacks to finish');
      await server.engine.flush();
    }
  }

  /**
   * Every request Chime sent carries the signature the standardwebhooks package computes for
   * it. (Its verify() also checks the timestamp against the wall clock, which a virtual clock
   * in 2030 fails; the end-to-end test on real processes calls verify() itself.)
   */
  function expectSigned(requests: Received[]): void {
    const webhook = new Webhook(SECRET);
    for (const request of requests) {
      const h = request.headers as Record<string, string>;
      expect(Number(h['webhook-timestamp']) * 1000, request.path).toBeGreaterThanOrEqual(T0);
      const expected = webhook.sign(h['webhook-id']!, new Date(Number(h['webhook-timestamp']) * 1000), request.rawBody);
      expect(h['webhook-signature']!.split(' '), request.path).toContain(expected);
    }
  }

  it('sends each job to its own target in the body shape it names, signed; the others to the app URL', async () => {
    await setup({ appApiToken: 'app-token-1' });
    await create('/v1.0-alpha1/jobs/plain', { dueTime: '1s', data: { to: 'app' } });
    await create('/v1.0/jobs/enveloped', { dueTime: '1s', data: { n: 1 }, target: { url: `${urls.target}/in/env`, headers: { 'X-Team': 'blue' } } });
    await create('/v1.0/jobs/bare', { dueTime: '1s', data: { n: 2 }, target: { url: `${urls.target}/in/bare?q=1`, body: 'data', method: 'PUT' } });
    await create('/v1.0-alpha1/jobs/text', { dueTime: '1s', data: 'a=1&b=2', target: { url: `${urls.target}/in/raw`, body: 'raw', headers: { 'content-type': 'application/x-www-form-urlencoded' } } });
    await run(2, 1000);
    expect(app.received.map((r) => r.path)).toEqual(['/job/plain']);
    const byPath = Object.fromEntries(target.received.map((r) => [r.path, r]));
    expect(Object.keys(byPath).sort()).toEqual(['/in/bare?q=1', '/in/env', '/in/raw']);
    expect(byPath['/in/env']!.body).toMatchObject({ job_name: 'enveloped', data: { n: 1 } });
    expect(byPath['/in/env']!.headers['x-team']).toBe('blue');
    expect(byPath['/in/bare?q=1']!).toMatchObject({ method: 'PUT', body: { n: 2 } });
    expect(byPath['/in/raw']!.rawBody).toBe('a=1&b=2');
    expect(byPath['/in/raw']!.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expectSigned([...app.received, ...target.received]);
    for (const request of [...app.received, ...target.received]) expect(request.headers['dapr-api-token']).toBe('app-token-1');
    // webhook-id is the occurrence's job id: the same on every retry of it.
    expect(byPath['/in/env']!.headers['webhook-id']).toBe(byPath['/in/env']!.headers['chime-job-id']);
    // GET shows the extension fields, header values redacted; plain Dapr jobs look as before.
    const shown = (await inject('GET', '/v1.0-alpha1/jobs/enveloped')).json();
    expect(shown.target).toEqual({ url: `${urls.target}/in/env`, method: 'POST', headers: { 'x-team': '[redacted]' }, body: 'envelope' });
    expect((await inject('GET', '/v1.0-alpha1/jobs/plain')).json()).not.toHaveProperty('target');
  });

  it('carries a schedule\'s target and timeout to every occurrence', async () => {
    await setup();
    let calls = 0;
    target.respond = () => (++calls === 2 ? new Promise<number>(() => {}) : 200); // the second never answers
    await create('/v1.0/jobs/every', { schedule: '@every 1s', repeats: 3, failurePolicy: { drop: {} }, target: { url: `${urls.target}/tick`, timeout: '500ms' } });
    for (let step = 0; step < 8; step++) {
      await clock.advance(500); // the hung attempt runs across steps until its timeout
      await waitFor(() => target.received.length >= Math.min(3, Math.floor((step + 1) / 2)), 5000, 'the occurrence to arrive');
      await server.engine.flush();
    }
    await server.engine.whenIdle();
    expect(target.received.map((r) => r.path)).toEqual(['/tick', '/tick', '/tick']);
    expect(app.received).toHaveLength(0);
    const history = (await inject('GET', '/v1.0/jobs/every/history')).json().history.reverse();
    expect(history.map((h: { outcome: string }) => h.outcome)).toEqual(['succeeded', 'timeout', 'succeeded']);
    expect(history[1].error).toMatch(/timed out after 500 ms/);
  });

  it('runs an /api/v1 job with a target as an HTTP request, and shows it', async () => {
    await setup();
    const job = await create('/api/v1/jobs', { task_name: 'ping-billing', kwargs: { invoice: 7 }, target: { url: `${urls.target}/billing`, body: 'data' } });
    expect(job.target).toMatchObject({ url: `${urls.target}/billing`, body: 'data' });
    await run(1, 10);
    expect(target.received.map((r) => [r.path, r.body])).toEqual([['/billing', { args: [], kwargs: { invoice: 7 } }]]);
    expectSigned(target.received);
    const after = (await inject('GET', `/api/v1/jobs/${job.id}`)).json();
    expect(after).toMatchObject({ status: 'completed', task_name: 'ping-billing' });
  });

  it('refuses targets and hooks outside the allowlist at creation, naming the field', async () => {
    await setup();
    const dapr = await inject('POST', '/v1.0-alpha1/jobs/out', { dueTime: '1s', target: { url: `${urls.outside}/x` } });
    expect(dapr.statusCode).toBe(403);
    expect(dapr.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'target.url' });
    const metadata = await inject('POST', '/v1.0/jobs/meta', { dueTime: '1s', on_failure: 'http://169.254.169.254/latest/meta-data' });
    expect(metadata.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'on_failure' });
    const v1 = await inject('POST', '/api/v1/jobs', { task_name: 'x', target: { url: `${urls.outside}/x` } });
    expect(v1.statusCode).toBe(403);
    expect(v1.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'target.url' });
    const bulk = await inject('POST', '/api/v1/jobs/bulk', { jobs: [{ task_name: 'explode' }, { task_name: 'x', target: { url: `${urls.outside}/x` } }] });
    expect(bulk.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'jobs[1].target.url' });
    const schedule = await inject('POST', '/api/v1/schedules', { name: 's', task_name: 'x', interval: { seconds: 5 }, target: { url: 'http://10.0.0.1/' } });
    expect(schedule.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'target.url' });
    const bad = await inject('POST', '/v1.0/jobs/bad', { dueTime: '1s', target: { url: 'ftp://x/' } });
    expect(bad.statusCode).toBe(400);
    expect(bad.json()).toMatchObject({ field: 'target.url' });
    expect((await inject('GET', '/v1.0/jobs')).json().jobs).toHaveLength(0);
  });

  it('refuses at delivery a name that resolves to an address nobody allowed', async () => {
    await setup();
    // `localhost` is allowed as a name, but it resolves to 127.0.0.1, and no entry allows that
    // address on this port: the guard's lookup refuses the connection.
    const port = new URL(urls.outside).port;
    await create('/v1.0/jobs/rebind', { dueTime: '1s', failurePolicy: { drop: {} }, target: { url: `http://localhost:${port}/steal` } });
    await run(2, 1000);
    expect(outside.received).toHaveLength(0);
    const [entry] = (await inject('GET', '/v1.0/jobs/rebind/history')).json().history;
    expect(entry).toMatchObject({ outcome: 'dead_lettered', http_status: null });
    expect(entry.error).toMatch(/outbound guard: localhost resolved to .*127\.0\.0\.1/);
  });

  it('follows a redirect to an allowed place, never to a disallowed one', async () => {
    await setup();
    target.respond = (r) =>
      r.path === '/moved' ? { status: 307, headers: { location: '/here' } } : r.path === '/away' ? { status: 302, headers: { location: `${urls.outside}/x` } } : 200;
    await create('/v1.0/jobs/moved', { dueTime: '1s', target: { url: `${urls.target}/moved` } });
    await create('/v1.0/jobs/away', { dueTime: '1s', failurePolicy: { drop: {} }, target: { url: `${urls.target}/away` } });
    await run(2, 1000);
    expect(target.received.map((r) => `${r.method} ${r.path}`).sort()).toEqual(['POST /away', 'POST /here', 'POST /moved']);
    expect(outside.received).toHaveLength(0);
    const [away] = (await inject('GET', '/v1.0/jobs/away/history')).json().history;
    expect(away.error).toMatch(/outbound guard: .* not in the allowlist/);
    expect((await inject('GET', '/v1.0/jobs/moved')).json().status).toBe('completed');
  });

  it('honours Retry-After on 429 and 503, and keeps the answer in the history', async () => {
    await setup();
    target.respond = () =>
      target.received.length === 1
        ? { status: 429, headers: { 'retry-after': '2' }, body: '{"error":"slow down"}' }
        : target.received.length === 2
          ? { status: 503, headers: { 'retry-after': '3' } }
          : { status: 201, body: 'x'.repeat(5000) };
    await create('/v1.0/jobs/busy', { dueTime: '1s', target: { url: `${urls.target}/busy` } });
    await run(1, 1000); // attempt 1 at T0+1s: 429, Retry-After 2 (the policy alone says 1 s)
    await run(1, 1999);
    expect(target.received).toHaveLength(1);
    await run(1, 1); // T0+3s: attempt 2, 503 with Retry-After 3
    expect(target.received).toHaveLength(2);
    await run(1, 2999);
    expect(target.received).toHaveLength(2);
    await run(1, 1);
    expect(target.received).toHaveLength(3);
    const history = (await inject('GET', '/v1.0/jobs/busy/history')).json().history.reverse();
    expect(history.map((h: any) => [h.outcome, h.http_status])).toEqual([['retrying', 429], ['retrying', 503], ['succeeded', 201]]);
    expect(history[0].response).toBe('{"error":"slow down"}');
    expect(history[2].response).toBe('x'.repeat(1024));
  });

  it('calls the failure hook exactly once when retries are spent, and the success hook on success', async () => {
    await setup();
    target.respond = (r) => (r.path === '/fail' ? 500 : 200);
    await create('/v1.0/jobs/doomed', {
      dueTime: '1s',
      data: { order: 42 },
      failurePolicy: { constant: { interval: '1s', maxRetries: 2 } },
      target: { url: `${urls.target}/fail` },
      on_failure: `${urls.hook}/failed`,
    });
    await create('/v1.0/jobs/fine', { dueTime: '1s', target: { url: `${urls.target}/ok` }, onSuccess: `${urls.hook}/ok` });
    await run(8, 1000);
    expect(target.received.filter((r) => r.path === '/fail')).toHaveLength(3);
    // The hook job is inserted after the outcome is written (real time, not the virtual clock's).
    await waitFor(() => hook.received.length === 2, 5000, 'both hooks');
    const calls = hook.received.map((r) => r.path).sort();
    expect(calls).toEqual(['/failed', '/ok']);
    const failed = hook.received.find((r) => r.path === '/failed')!;
    expect(failed.body).toMatchObject({
      type: 'job.dead_lettered',
      job: { name: 'doomed', data: { order: 42 } },
      attempts: 3,
      error: { type: 'HttpError', message: expect.stringContaining('HTTP 500') },
      http_status: 500,
    });
    expect((hook.received.find((r) => r.path === '/ok')!.body as any).type).toBe('job.succeeded');
    expectSigned(hook.received);
    await run(5, 1000);
    expect(hook.received).toHaveLength(2);
  });

  it('retries a hook that fails, and calls the server-wide hook for a task that fails for good', async () => {
    await setup((u) => ({ failureHookUrl: `${u.hook}/server` }));
    hook.respond = () => (hook.received.length === 1 ? 500 : 200);
    const job = await create('/api/v1/jobs', { task_name: 'explode', args: [1] });
    await run(1, 10);
    await waitFor(async () => (await inject('GET', `/api/v1/jobs/${job.id}`)).json().status === 'failed', 5000, 'the task to fail');
    await waitFor(() => hook.received.length === 1, 5000, 'the hook call');
    await server.engine.whenIdle();
    await run(1, 10);
    expect(hook.received).toHaveLength(1); // 500: the hook job retries with backoff (1 s, jittered)
    await run(3, 1000);
    await waitFor(() => hook.received.length === 2, 5000, 'the hook retry');
    expect(hook.received[1]!.body).toMatchObject({ type: 'job.failed', job: { id: job.id, task_name: 'explode' }, attempts: 1, error: { message: 'task exploded' } });
    expect(hook.received[0]!.headers['webhook-id']).toBe(hook.received[1]!.headers['webhook-id']);
  });

  it('caps requests in flight per target, so a hung target does not take the slots of another', async () => {
    await setup({ maxConcurrentJobs: 3, targetConcurrency: 1 });
    const held: (() => void)[] = [];
    target.respond = () => new Promise<number>((resolve) => held.push(() => resolve(200)));
    for (let i = 0; i < 3; i++) await create(`/v1.0/jobs/slow-${i}`, { dueTime: '1s', target: { url: `${urls.target}/slow` } });
    for (let i = 0; i < 2; i++) await create(`/v1.0/jobs/fast-${i}`, { dueTime: '1s', target: { url: `${urls.hook}/fast` } });
    await clock.advance(1000);
    await waitFor(() => hook.received.length === 2, 5000, 'the fast target');
    expect(target.received).toHaveLength(1); // one slow request in flight: its target's cap
    expect(server.engine.activeJobs).toBe(3); // the other two slow jobs wait, claimed
    for (let i = 0; i < 3; i++) {
      await waitFor(() => held.length === i + 1, 5000, `slow request ${i + 1}`);
      held[i]!();
    }
    await server.engine.whenIdle();
    expect(target.received).toHaveLength(3);
  });

  it('calls the failure hook of a job the reaper fails (its node died on the last attempt)', async () => {
    await setup({ leaseMs: 3000 });
    const delivery = { target: null, onFailure: `${urls.hook}/reaped`, onSuccess: null };
    const job = newJob({ runAt: T0 + 500, name: 'orphan', dialect: 'envelope' }, callbackTemplate({ failurePolicy: { kind: 'drop' }, delivery }));
    await server.store.insertJobs([job]);
    const [claimed] = await server.store.claimDue({ lane: { target: 'callback' }, now: T0 + 500, limit: 1, owner: 'dead-node', leaseMs: 3000, planNext: noNext });
    expect(claimed?.id).toBe(job.id);
    await run(6, 1000);
    await waitFor(() => hook.received.length === 1, 5000, 'the hook of the reaped job');
    expect(hook.received[0]!.body).toMatchObject({ type: 'job.dead_lettered', job: { id: job.id, name: 'orphan' }, attempts: 1, error: { type: 'LeaseExpired' } });
    expect(app.received).toHaveLength(0);
  });

  it('requires dapr-api-token on the Dapr-style API when DAPR_API_TOKEN is set', async () => {
    await setup({ daprApiToken: 'dapr-secret' });
    const refused = await inject('POST', '/v1.0-alpha1/jobs/t', { dueTime: '1s' });
    expect(refused.statusCode).toBe(401);
    expect(refused.json()).toMatchObject({ code: 'DAPR_API_TOKEN_INVALID' });
    expect((await inject('POST', '/v1.0/jobs/t', { dueTime: '1s' }, { 'dapr-api-token': 'wrong' })).statusCode).toBe(401);
    expect((await inject('POST', '/v1.0-alpha1/jobs/t', { dueTime: '1s' }, { 'dapr-api-token': 'dapr-secret' })).statusCode).toBe(204);
    expect((await inject('GET', '/v1.0/healthz')).statusCode).toBeLessThan(300);
    expect((await inject('GET', '/v1.0/metadata')).statusCode).toBe(401);
    expect((await inject('GET', '/v1.0/metadata', undefined, { 'dapr-api-token': 'dapr-secret' })).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/jobs')).statusCode).toBe(200);
  });
});

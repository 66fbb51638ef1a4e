/**
 * The API the dashboard (and apps) use: cookie sessions with CSRF, one-time login links, the
 * live feed (filters, resume, coalescing), the overview, dead letters and the schedule preview.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobRefOf } from '../../src/core/lifecycle-events.js';
import { loginLink, signToken } from '../../src/server/secrets.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { callbackTemplate, newJob } from '../support/fixtures.js';
import { TEST_JWT_SECRET, startTestServer, testToken } from '../support/server.js';
import { collectSse, type SseMessage } from '../support/sse.js';

let server: ChimeServer;
let admin: Record<string, string>;

beforeAll(async () => {
  // Callbacks go to a closed port: every delivery fails at once.
  server = await startTestServer({ appUrl: 'http://127.0.0.1:9', maxRetries: 0 });
  admin = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  await server.close();
});

const inject = (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, headers: Record<string, string> = admin, payload?: unknown) =>
  server.app.inject({ method, url, headers, payload: payload as object });

async function session(scope: 'read' | 'write' | 'admin'): Promise<{ cookie: string; csrf: string }> {
  const response = await inject('POST', '/ui/session', {}, { token: await testToken(scope) });
  expect(response.statusCode).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'chime_session')!;
  return { cookie: `chime_session=${cookie.value}`, csrf: response.json().csrf_token };
}

async function until<T>(check: () => Promise<T | null | undefined | false>, what: string): Promise<T> {
  const deadline = Date.now() + 15_000;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('dashboard sessions', () => {
  it('opens a session from a login link once, with an HttpOnly SameSite=Strict cookie', async () => {
    const link = new URL(await loginLink(server.url, { secret: TEST_JWT_SECRET, scope: 'write', subject: 'alice' }));
    const first = await inject('GET', `${link.pathname}${link.search}`, {});
    expect(first.statusCode).toBe(303);
    expect(first.headers.location).toBe('/ui/');
    const cookie = first.cookies.find((c) => c.name === 'chime_session')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/' });
    const me = await inject('GET', '/ui/session', { cookie: `chime_session=${cookie.value}` });
    expect(me.json()).toMatchObject({ subject: 'alice', scope: 'write' });
    const again = await inject('GET', `${link.pathname}${link.search}`, {});
    expect(again.statusCode).toBe(401);
    expect(again.body).toContain('already used');
  });

  it('refuses a login token as an API bearer token', async () => {
    const token = new URL(await loginLink(server.url, { secret: TEST_JWT_SECRET, scope: 'admin', subject: 'x' })).searchParams.get('token')!;
    const response = await inject('GET', '/api/v1/jobs', { authorization: `Bearer ${token}` });
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toContain('login token');
  });

  it('reads with the cookie, and acts only with the CSRF header of that session', async () => {
    const { cookie, csrf } = await session('admin');
    expect((await inject('GET', '/api/v1/queues', { cookie })).statusCode).toBe(200);
    const forged = await inject('POST', '/api/v1/queues/csrf-q/pause', { cookie });
    expect(forged.statusCode).toBe(403);
    expect(forged.json().code).toBe('CSRF_REJECTED');
    expect((await inject('POST', '/api/v1/queues/csrf-q/pause', { cookie, 'x-chime-csrf': 'guessed' })).json().code).toBe('CSRF_REJECTED');
    const other = await session('admin');
    expect((await inject('POST', '/api/v1/queues/csrf-q/pause', { cookie, 'x-chime-csrf': other.csrf })).statusCode).toBe(403);
    expect((await inject('POST', '/api/v1/queues/csrf-q/pause', { cookie, 'x-chime-csrf': csrf })).statusCode).toBe(204);
    await inject('POST', '/api/v1/queues/csrf-q/resume');
  });

  it('keeps a read session to reading', async () => {
    const { cookie, csrf } = await session('read');
    expect((await inject('GET', '/api/v1/overview', { cookie })).statusCode).toBe(200);
    const response = await inject('POST', '/api/v1/queues/csrf-q/pause', { cookie, 'x-chime-csrf': csrf });
    expect(response.statusCode).toBe(403);
    expect(response.json().code).toBe('FORBIDDEN');
  });

  it('signs out (with the CSRF header), after which the cookie is worthless', async () => {
    const { cookie, csrf } = await session('write');
    expect((await inject('DELETE', '/ui/session', { cookie })).statusCode).toBe(403);
    expect((await inject('DELETE', '/ui/session', { cookie, 'x-chime-csrf': csrf })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/jobs', { cookie })).statusCode).toBe(401);
    expect((await inject('GET', '/ui/session', { cookie })).statusCode).toBe(401);
  });

  it('refuses a bad token at sign-in with a 4xx naming the problem', async () => {
    expect((await inject('POST', '/ui/session', {}, { token: 'nope' })).statusCode).toBe(401);
    expect((await inject('POST', '/ui/session', {}, {})).json().message).toMatch(/token/);
    const expired = await signToken({ secret: TEST_JWT_SECRET, scope: 'admin', expiresInSeconds: -10, subject: 'x' });
    expect((await inject('POST', '/ui/session', {}, { token: expired })).json().message).toBe('token expired');
  });
});

describe('dead letters', () => {
  it('lists, inspects, retries, retries all of a name, and deletes', async () => {
    const create = (name: string) =>
      inject('POST', `/v1.0-alpha1/jobs/${name}`, {}, { dueTime: new Date(Date.now()).toISOString(), data: { n: name }, failurePolicy: { drop: {} } });
    for (const name of ['dl-a', 'dl-b', 'dl-b2']) expect((await create(name)).statusCode).toBe(204);
    // Waits on the page's items, not its total: the total is counted by a read of its own
    // (on the store's thread, another connection), so for a moment it can count a dead letter
    // the items, read just before, do not hold yet.
    const list = await until(async () => {
      const page = (await inject('GET', '/api/v1/dead-letters')).json();
      const names = new Set(page.items.map((d: { job_name: string }) => d.job_name));
      return ['dl-a', 'dl-b', 'dl-b2'].every((name) => names.has(name)) && page;
    }, 'three dead letters');
    const a = list.items.find((d: { job_name: string }) => d.job_name === 'dl-a');
    const detail = (await inject('GET', `/api/v1/dead-letters/${a.id}`)).json();
    expect(detail.data).toEqual({ n: 'dl-a' });
    expect(detail.attempts[0]).toMatchObject({ outcome: 'dead_lettered', job_name: 'dl-a' });
    expect((await inject('GET', '/api/v1/dead-letters?job_name=dl-b')).json().total).toBe(1);

    expect((await inject('POST', `/api/v1/dead-letters/${a.id}/retry`)).json()).toMatchObject({ status: 'scheduled', job_name: 'dl-a' });
    // It fails again (the app is still down) and comes back.
    await until(async () => (await inject('GET', `/api/v1/dead-letters/${a.id}`)).statusCode === 200, 'dl-a to fail again');
    expect((await inject('GET', `/api/v1/dead-letters/${a.id}`)).json().attempts).toHaveLength(2);

    expect((await inject('POST', '/api/v1/dead-letters/retry', admin, { job_name: 'dl-b2' })).json()).toEqual({ retried: 1 });
    expect((await inject('POST', '/api/v1/dead-letters/retry', admin, { job_name: 'nothing-here' })).json()).toEqual({ retried: 0 });

    expect((await inject('DELETE', `/api/v1/dead-letters/${a.id}`)).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/dead-letters/${a.id}`)).statusCode).toBe(404);
    expect((await inject('DELETE', `/api/v1/dead-letters/${a.id}`)).statusCode).toBe(404);
    expect((await inject('GET', '/v1.0/jobs/dl-a/history')).json().history).toEqual([]);
  });
});

describe('schedule preview', () => {
  it('gives the next occurrences of a cron expression, in a time zone, or of an interval', async () => {
    const cron = (await inject('GET', '/api/v1/schedules/preview?cron_expression=0%209%20*%20*%20MON&timezone=Europe/Paris')).json();
    expect(cron.occurrences).toHaveLength(10);
    for (const t of cron.occurrences) {
      const local = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', weekday: 'short', hour: '2-digit', minute: '2-digit' }).format(new Date(t));
      expect(local).toBe('Mon 09:00');
    }
    const every = (await inject('GET', '/api/v1/schedules/preview?interval_seconds=90&count=3')).json().occurrences.map(Date.parse);
    expect(every[1] - every[0]).toBe(90_000);
    expect(every[2] - every[1]).toBe(90_000);
  });

  it('names the field at fault', async () => {
    for (const [url, field] of [
      ['/api/v1/schedules/preview?cron_expression=61%20*%20*%20*%20*', 'cron_expression'],
      ['/api/v1/schedules/preview', 'cron_expression'],
      ['/api/v1/schedules/preview?cron_expression=*%20*%20*%20*%20*&interval_seconds=5', 'cron_expression'],
      ['/api/v1/schedules/preview?cron_expression=@daily&timezone=Mars/Base', 'timezone'],
      ['/api/v1/schedules/preview?interval_seconds=0', 'interval_seconds'],
      ['/api/v1/schedules/preview?cron_expression=@daily&count=500', 'count'],
    ]) {
      const response = await inject('GET', url!);
      expect(response.statusCode, url).toBe(400);
      expect(response.json().detail, url).toContain(field);
    }
  });
});

describe('overview', () => {
  it('reports counts (cached), store health, workers and the last hour by minute', async () => {
    const first = (await inject('GET', '/api/v1/overview')).json();
    expect(first.store).toMatchObject({ backend: server.store.backend, ok: true });
    expect(first.firing).toHaveLength(60);
    expect(first.jobs).toHaveProperty('pending_jobs');
    expect(first.dead_letters).toBeTypeOf('number');
    expect(Object.keys(first.dapr_jobs).sort()).toEqual(['completed', 'expired', 'failed', 'paused', 'scheduled']);
    const second = (await inject('GET', '/api/v1/overview')).json();
    // Within the TTL the counts are not taken again.
    expect(second.counted_at).toBe(first.counted_at);
    const fired = second.firing.reduce((sum: number, m: { fired: number }) => sum + m.fired, 0);
    expect(fired).toBeGreaterThan(0);
  });
});

/** Reads SSE messages from a live connection. */
async function openFeed(path: string, headers: Record<string, string> = admin) {
  const controller = new AbortController();
  const response = await fetch(`${server.url}${path}`, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  collectSse(response.body!, messages);
  return { response, messages, close: () => controller.abort() };
}

/** A Dapr job's creation (data is the payload), or a task job's (data filters read its kwargs). */
function emitCreated(name: string, data: unknown, target: 'callback' | 'task' = 'callback'): void {
  const job =
    target === 'callback'
      ? newJob({ name, payload: JSON.stringify(data) }, callbackTemplate())
      : newJob({ name: null, taskName: name, payload: JSON.stringify({ args: [], kwargs: data }) });
  server.events.emit({ type: 'job.created', at: Date.now(), job: jobRefOf(job) });
}

describe('live feed (GET /api/v1/events)', () => {
  it('needs a read token', async () => {
    expect((await fetch(`${server.url}/api/v1/events`)).status).toBe(401);
  });

  it('streams matching events, filtered by name prefix and data field', async () => {
    const feed = await openFeed('/api/v1/events?name_prefix=notify-&data.user_id=42&types=job.created');
    expect(feed.response.headers.get('content-type')).toContain('text/event-stream');
    emitCreated('notify-a', { user_id: 42, text: 'hi' });
    emitCreated('notify-b', { user_id: 7 });
    emitCreated('other', { user_id: 42 });
    emitCreated('notify-c', { user_id: '42' });
    emitCreated('notify-task', { user_id: 42 }, 'task');
    emitCreated('notify-task', { user_id: 43 }, 'task');
    await until(async () => feed.messages.length >= 3, 'three events');
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(feed.messages.map((m) => m.data.job.name ?? m.data.job.task_name)).toEqual(['notify-a', 'notify-c', 'notify-task']);
    expect(feed.messages[0]).toMatchObject({ event: 'job.created', data: { type: 'job.created', job: { data: { user_id: 42, text: 'hi' } } } });
    expect(feed.messages[0]!.id).toBe(feed.messages[0]!.data.id);
    feed.close();
  });

  it('resumes after Last-Event-ID, and says reset for an id it cannot replay', async () => {
    const feed = await openFeed('/api/v1/events?name_prefix=resume-');
    emitCreated('resume-1', {});
    await until(async () => feed.messages.length === 1, 'the first event');
    feed.close();
    emitCreated('resume-2', {});
    emitCreated('resume-3', {});
    const resumed = await openFeed('/api/v1/events?name_prefix=resume-', { ...admin, 'last-event-id': feed.messages[0]!.id! });
    await until(async () => resumed.messages.length >= 2, 'the missed events');
    expect(resumed.messages.map((m) => m.data.job.name)).toEqual(['resume-2', 'resume-3']);
    resumed.close();
    const foreign = await openFeed('/api/v1/events', { ...admin, 'last-event-id': 'zzz-5' });
    await until(async () => foreign.messages.length >= 1, 'reset');
    expect(foreign.messages[0]!.event).toBe('reset');
    foreign.close();
  });

  it('coalesces a burst: at most 50 events per write, the rest summed up', async () => {
    const feed = await openFeed('/api/v1/events?name_prefix=burst-');
    for (let i = 0; i < 2000; i++) emitCreated(`burst-${i}`, {});
    await until(async () => feed.messages.some((m) => m.event === 'coalesced'), 'the summary');
    const events = feed.messages.filter((m) => m.event === 'job.created');
    const summary = feed.messages.find((m) => m.event === 'coalesced')!;
    expect(events.length).toBe(50);
    expect(summary.data.counts).toEqual({ 'job.created': 1950 });
    expect(summary.id).toBe(summary.data.up_to);
    feed.close();
  });
});

describe('the feed\'s resume ring', () => {
  it('does not run until a live-feed client connects, though the dashboard is on', async () => {
    const other = await startTestServer();
    try {
      const before = other.events.listenerCount;
      await other.app.inject({ method: 'POST', url: '/v1.0/jobs/ring-a', payload: { dueTime: '1h' } });
      const controller = new AbortController();
      const response = await fetch(`${other.url}/api/v1/events`, { headers: admin, signal: controller.signal });
      expect(response.status).toBe(200);
      expect(other.events.listenerCount).toBe(before + 1);
      const messages: SseMessage[] = [];
      collectSse(response.body!, messages);
      await other.app.inject({ method: 'POST', url: '/v1.0/jobs/ring-b', payload: { dueTime: '1h' } });
      await until(async () => messages.length === 2, 'the second job\'s events');
      expect(messages.map((m) => [m.event, m.data.name ?? m.data.job.name])).toEqual([
        ['schedule.changed', 'ring-b'],
        ['job.created', 'ring-b'],
      ]);
      // Numbered from the ring's start: the first job's two events were never kept.
      expect(messages.map((m) => m.id!.split('-')[1])).toEqual(['1', '2']);
      controller.abort();
    } finally {
      await other.close();
    }
  });
});

describe('shutdown', () => {
  it('ends open live feeds instead of waiting on them', async () => {
    const other = await startTestServer();
    const response = await fetch(`${other.url}/api/v1/events`, { headers: admin });
    const reader = response.body!.getReader();
    await reader.read();
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(5000);
    // The stream ends (done) rather than hanging.
    for (;;) if ((await reader.read().catch(() => ({ done: true }))).done) break;
  });
});

describe('with DAPR_API_TOKEN', () => {
  it('lets a dashboard session read the Dapr API, never write it', async () => {
    const guarded = await startTestServer({ daprApiToken: 'dapr-secret' });
    try {
      const opened = await guarded.app.inject({ method: 'POST', url: '/ui/session', payload: { token: await testToken('read') } });
      const cookie = `chime_session=${opened.cookies.find((c) => c.name === 'chime_session')!.value}`;
      expect((await guarded.app.inject({ url: '/v1.0/jobs' })).statusCode).toBe(401);
      expect((await guarded.app.inject({ url: '/v1.0/jobs', headers: { cookie } })).statusCode).toBe(200);
      const write = await guarded.app.inject({ method: 'POST', url: '/v1.0/jobs/x', headers: { cookie }, payload: { dueTime: '1h' } });
      expect(write.statusCode).toBe(401);
      expect((await guarded.app.inject({ url: '/v1.0/jobs', headers: { cookie: 'chime_session=forged' } })).statusCode).toBe(401);
    } finally {
      await guarded.close();
    }
  });
});

describe('with --no-ui', () => {
  it('serves no dashboard nor sessions, but the API docs and the live feed stay', async () => {
    const bare = await startTestServer({ ui: false });
    try {
      // Nobody watches yet: the feed buffer and the firing stats have not subscribed.
      const before = bare.events.listenerCount;
      expect((await bare.app.inject({ url: '/api/v1/overview', headers: admin })).statusCode).toBe(200);
      expect(bare.events.listenerCount).toBe(before + 1);
      expect((await bare.app.inject({ url: '/ui/' })).statusCode).toBe(404);
      expect((await bare.app.inject({ method: 'POST', url: '/ui/session', payload: { token: 'x' } })).statusCode).toBe(404);
      expect((await bare.app.inject({ url: '/docs/' })).statusCode).toBe(200);
      expect((await bare.app.inject({ url: '/openapi.json' })).json().paths).toHaveProperty(['/api/v1/events']);
      // A session cookie means nothing to this server: a bearer token is needed.
      expect((await bare.app.inject({ url: '/api/v1/jobs', headers: { cookie: 'chime_session=abc' } })).statusCode).toBe(401);
    } finally {
      await bare.close();
    }
  });
});

describe('the dashboard page', () => {
  it('is served from the package with a strict Content-Security-Policy and cacheable assets', async () => {
    const page = await inject('GET', '/ui/', {});
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'self'");
    expect(page.headers['cache-control']).toBe('no-cache');
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(page.body)![1]!;
    const asset = await inject('GET', script, {});
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await inject('GET', '/ui', {})).headers.location).toBe('/ui/');
  });

  it('sends a path-style link to its hash route, and keeps 404 for missing files and API clients', async () => {
    const html = { accept: 'text/html,application/xhtml+xml' };
    const link = await inject('GET', '/ui/dead-letters?name=nightly', html);
    expect(link.statusCode).toBe(302);
    expect(link.headers.location).toBe('/ui/#/dead-letters?name=nightly');
    expect((await inject('GET', '/ui/jobs/report-1', html)).headers.location).toBe('/ui/#/jobs/report-1');
    const asset = await inject('GET', '/ui/assets/missing.js', html);
    expect(asset.statusCode).toBe(404);
    expect(asset.json()).toMatchObject({ error: 'NOT_FOUND' });
    const api = await inject('GET', '/ui/dead-letters', { accept: 'application/json' });
    expect(api.statusCode).toBe(404);
    expect(api.json()).toMatchObject({ error: 'NOT_FOUND', message: 'no route for GET /ui/dead-letters' });
    expect((await inject('POST', '/ui/dead-letters', html, {})).statusCode).toBe(404);
  });
});

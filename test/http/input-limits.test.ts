/**
 * Hostile input, on both API families and the reminder routes: each gets a 400 (or the 4xx
 * its HTTP fault calls for) in the documented error shape, naming the field and the limit,
 * and nothing is written. Includes the errors Fastify and Node raise before a route runs.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { INPUT_LIMITS } from '../../src/core/input-limits.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { startTestServer, testToken } from '../support/server.js';

let server: ChimeServer;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({ clock: new VirtualClock(T0), taskDefinitions: [defineTask({ name: 'noop', handler: () => null })] });
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  await server.close();
});

/** Everything a refused request could have written: schedules of both dialects, and jobs. */
async function written(): Promise<number> {
  const schedules = await server.store.listSchedules({ dialects: ['envelope', 'dapr', 'v1'], limit: 1, countTotal: true });
  const jobs = await server.store.listJobs({ limit: 1000, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
  return (schedules.total ?? 0) + (jobs.total ?? jobs.items.length);
}

/** JSON text nested `levels` deep, alternating arrays and objects (built as text: JSON.stringify would overflow). */
function deepText(levels: number): string {
  let open = '';
  let close = '';
  for (let i = 0; i < levels; i++) {
    open += i % 2 === 0 ? '{"k":' : '[';
    close = (i % 2 === 0 ? '}' : ']') + close;
  }
  return `${open}1${close}`;
}
const deep = (levels: number): unknown => JSON.parse(deepText(levels));

/** A JSON text with a lone surrogate escaped the way JSON allows (`"\ud800"`). */
const loneSurrogateBody = (fields: Record<string, string | number>) =>
  JSON.stringify(fields).replace(/LONE_HIGH/g, '\\ud800').replace(/LONE_LOW/g, '\\udc00');

/** A request over a real socket, its path sent as given. */
function rawRequest(method: string, path: string, body?: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(server.url, { method, path, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('input limits', () => {
  it('refuses two lone-surrogate reminder names, "..", and a 5,000-deep body, storing nothing', async () => {
    const before = await written();
    const cases = [
      { url: '/api/jobs/schedule', payload: loneSurrogateBody({ task_id: 'a-LONE_HIGH', user_id: 'u', due_date: '2031-01-01T00:00:00Z' }), field: 'task_id' },
      { url: '/api/jobs/schedule', payload: loneSurrogateBody({ task_id: 'a', user_id: 'LONE_LOW', due_date: '2031-01-01T00:00:00Z' }), field: 'user_id' },
      { url: '/v1.0/jobs/deep', payload: `{"dueTime":"1h","data":${deepText(5000)}}`, field: 'data' },
      { url: '/v1.0/jobs/deep2', payload: `{"dueTime":"1h","failurePolicy":${deepText(5000)}}`, field: 'failurePolicy' },
    ];
    for (const c of cases) {
      const answer = await server.app.inject({ method: 'POST', url: c.url, payload: c.payload, headers: { 'content-type': 'application/json' } });
      expect(answer.statusCode, c.url).toBe(400);
      const body = answer.json();
      expect(body.field, c.url).toBe(c.field);
      expect(body.code, c.url).toBe('INVALID_ARGUMENT');
    }
    // URL clients (fetch, inject) rewrite "." and ".." segments away; a raw request keeps them.
    for (const path of ['/v1.0/jobs/%2E%2E', '/v1.0/jobs/..', '/v1.0-alpha1/jobs/%2e']) {
      const answer = await rawRequest('POST', path, '{"dueTime":"1h"}');
      expect(answer.status, path).toBe(400);
      // The Dapr runtime dialect words errors as the runtime does; Chime's code still says why.
      const expected = path.startsWith('/v1.0-alpha1/') ? { code: 'INVALID_ARGUMENT' } : { code: 'INVALID_ARGUMENT', field: 'name', message: 'name: must not be "." or ".."' };
      expect(JSON.parse(answer.body), path).toMatchObject(expected);
    }
    const deepAnswer = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/deep3', payload: `{"dueTime":"1h","data":${deepText(5000)}}` });
    expect(deepAnswer.json().message).toContain(`${INPUT_LIMITS.jsonDepth} levels`);
    expect(await written()).toBe(before);
  });

  it('names free-form fields of the platform API nested too deep', async () => {
    const before = await written();
    for (const field of ['args', 'kwargs', 'metadata']) {
      const value = field === 'args' ? `[${deepText(3000)}]` : `{"k":${deepText(3000)}}`;
      const payload = `{"task_name":"noop","${field}":${value}}`;
      const answer = await server.app.inject({ method: 'POST', url: '/api/v1/jobs', payload, headers: { ...auth, 'content-type': 'application/json' } });
      expect(answer.statusCode, field).toBe(400);
      expect(answer.json(), field).toMatchObject({ code: 'INVALID_ARGUMENT', field });
    }
    const bulk = await server.app.inject({ method: 'POST', url: '/api/v1/jobs/bulk', payload: { jobs: [{ task_name: 'noop', kwargs: { k: deep(100) } }] }, headers: auth });
    expect(bulk.json()).toMatchObject({ field: 'jobs.0.kwargs' });
    const schedule = await server.app.inject({ method: 'POST', url: '/api/v1/schedules', payload: { name: '..', task_name: 'noop', interval: { hours: 1 } }, headers: auth });
    expect(schedule.statusCode).toBe(400);
    expect(schedule.json()).toMatchObject({ field: 'name' });
    const jobId = await server.app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { task_name: 'noop', job_id: '..' }, headers: auth });
    expect(jobId.json()).toMatchObject({ field: 'job_id' });
    expect(await written()).toBe(before);
  });

  it('refuses U+0000 in names, ids and bodies on every store (PostgreSQL cannot store it)', async () => {
    const before = await written();
    const get = await server.app.inject({ method: 'DELETE', url: '/v1.0/jobs/a%00b' });
    expect(get.statusCode).toBe(400);
    expect(get.json()).toMatchObject({ field: 'name', message: 'name: must not contain control character U+0000' });
    expect((await server.app.inject({ method: 'GET', url: '/api/v1/jobs/%00', headers: auth })).json()).toMatchObject({ field: 'job_id' });
    const body = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/nul', payload: { dueTime: '1h', data: { 'k\u0000': 1 } } });
    expect(body.statusCode).toBe(400);
    expect(await written()).toBe(before);
  });

  it('bounds every numeric query and body field', async () => {
    const answers = [
      await server.app.inject({ method: 'GET', url: '/v1.0/dead-letters?offset=1e308' }),
      await server.app.inject({ method: 'GET', url: '/v1.0/dead-letters?offset=Infinity' }),
      await server.app.inject({ method: 'GET', url: '/api/v1/jobs?offset=1e308', headers: auth }),
      await server.app.inject({ method: 'GET', url: '/api/v1/schedules?offset=99999999999', headers: auth }),
      await server.app.inject({ method: 'GET', url: '/v1.0/jobs/x/history?before=1e308' }),
      await server.app.inject({ method: 'POST', url: '/v1.0/jobs/r', payload: { schedule: '@every 1s', repeats: 1e308 } }),
      await server.app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { task_name: 'noop', timeout: 1e308 }, headers: auth }),
    ];
    for (const answer of answers) {
      expect(answer.statusCode, answer.body).toBe(400);
      expect(answer.json().field, answer.body).toMatch(/offset|before|repeats|timeout/);
    }
  });

  it('answers Fastify and Node errors in the documented shape', async () => {
    const badPercent = await server.app.inject({ method: 'GET', url: '/v1.0/jobs/%E0%A4%A' });
    expect(badPercent.statusCode).toBe(400);
    expect(badPercent.json()).toMatchObject({ code: 'BAD_REQUEST', errorCode: 'ERR_MALFORMED_REQUEST', field: 'path' });

    const tooLong = await server.app.inject({ method: 'GET', url: `/v1.0/jobs/${'x'.repeat(3000)}` });
    expect(tooLong.statusCode).toBe(414);
    expect(tooLong.json()).toMatchObject({ code: 'URI_TOO_LONG' });

    const unauthorized = await server.app.inject({ method: 'GET', url: '/api/v1/jobs' });
    expect(unauthorized.statusCode).toBe(401);
    expect(unauthorized.headers['www-authenticate']).toBe('Bearer realm="chime"');
    const badToken = await server.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: 'Bearer nope' } });
    expect(badToken.headers['www-authenticate']).toBe('Bearer realm="chime", error="invalid_token"');

    // 431 comes from Node's parser, before Fastify: only a real socket shows it.
    const overflow = await rawRequest('GET', '/healthz', undefined, { 'x-big': 'y'.repeat(20_000) });
    expect(overflow.status).toBe(431);
    expect(JSON.parse(overflow.body)).toEqual({ error: 'HEADERS_TOO_LARGE', message: 'headers: larger than the server accepts', field: 'headers' });
  });
});

/**
 * Every /api/v1 endpoint × (no token, bad signature, expired, read scope, write scope, admin),
 * and bad input to every endpoint: a 4xx naming the problem, never a 500.
 */
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { Scope } from '../../src/http/auth.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { TEST_JWT_SECRET, startTestServer, testToken } from '../support/server.js';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';
interface Endpoint {
  method: Method;
  url: string;
  body?: object;
  scope: Scope;
}

let server: ChimeServer;
let scheduleId = '';
let jobId = '';
const tokens: Record<string, string> = {};

beforeAll(async () => {
  server = await startTestServer({
    clock: new VirtualClock(T0),
    taskDefinitions: [defineTask({ name: 'noop', handler: () => null })],
  });
  for (const scope of ['read', 'write', 'admin'] as const) tokens[scope] = await testToken(scope);
  tokens.expired = await testToken('admin', -60);
  tokens.badSignature = await new SignJWT({ scope: 'admin' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-entirely-0123456789'));
  tokens.noScope = await new SignJWT({ scope: 'email' }).setProtectedHeader({ alg: 'HS256' }).setExpirationTime('1h').sign(new TextEncoder().encode(TEST_JWT_SECRET));
  const admin = { authorization: `Bearer ${tokens.admin}` };
  jobId = (await server.app.inject({ method: 'POST', url: '/api/v1/jobs', payload: { task_name: 'noop', scheduled_at: '2031-01-01T00:00:00Z' }, headers: admin })).json().id;
  scheduleId = (await server.app.inject({ method: 'POST', url: '/api/v1/schedules', payload: { name: 's', task_name: 'noop', interval: { hours: 1 } }, headers: admin })).json().id;
});

afterAll(async () => {
  await server.close();
});

function endpoints(): Endpoint[] {
  return [
    { method: 'GET', url: '/api/v1/jobs', scope: 'read' },
    { method: 'GET', url: `/api/v1/jobs/${jobId}`, scope: 'read' },
    { method: 'GET', url: '/api/v1/jobs/stats', scope: 'read' },
    { method: 'POST', url: '/api/v1/jobs', body: { task_name: 'noop', scheduled_at: '2031-01-01T00:00:00Z' }, scope: 'write' },
    { method: 'POST', url: '/api/v1/jobs/bulk', body: { jobs: [{ task_name: 'noop', scheduled_at: '2031-01-01T00:00:00Z' }] }, scope: 'write' },
    { method: 'POST', url: `/api/v1/jobs/${jobId}/cancel`, body: { reason: 'x' }, scope: 'write' },
    { method: 'POST', url: `/api/v1/jobs/${jobId}/retry`, scope: 'write' },
    { method: 'POST', url: '/api/v1/jobs/run-sync', body: { task_name: 'noop', timeout: 1 }, scope: 'write' },
    { method: 'GET', url: '/api/v1/schedules', scope: 'read' },
    { method: 'GET', url: `/api/v1/schedules/${scheduleId}`, scope: 'read' },
    { method: 'POST', url: '/api/v1/schedules', body: { name: 'm', task_name: 'noop', cron_expression: '0 0 * * *' }, scope: 'write' },
    { method: 'PUT', url: `/api/v1/schedules/${scheduleId}`, body: { name: 'renamed' }, scope: 'write' },
    { method: 'POST', url: `/api/v1/schedules/${scheduleId}/pause`, scope: 'write' },
    { method: 'POST', url: `/api/v1/schedules/${scheduleId}/resume`, scope: 'write' },
    { method: 'DELETE', url: '/api/v1/schedules/does-not-exist', scope: 'write' },
    { method: 'GET', url: '/api/v1/queues', scope: 'read' },
    { method: 'POST', url: '/api/v1/queues/matrix/pause', scope: 'admin' },
    { method: 'POST', url: '/api/v1/queues/matrix/resume', scope: 'admin' },
    { method: 'POST', url: '/api/v1/queues/matrix/clear', scope: 'admin' },
    { method: 'PUT', url: '/api/v1/queues/matrix', body: { concurrency: 3 }, scope: 'admin' },
    { method: 'GET', url: '/api/v1/tasks', scope: 'read' },
    { method: 'GET', url: '/api/v1/tasks/noop', scope: 'read' },
    { method: 'GET', url: '/api/v1/workers', scope: 'read' },
    { method: 'GET', url: '/api/v1/overview', scope: 'read' },
    { method: 'GET', url: '/api/v1/schedules/preview?cron_expression=0%200%20*%20*%20*', scope: 'read' },
    { method: 'GET', url: '/api/v1/dead-letters', scope: 'read' },
    { method: 'GET', url: '/api/v1/dead-letters/nope', scope: 'read' },
    { method: 'POST', url: '/api/v1/dead-letters/nope/retry', scope: 'write' },
    { method: 'POST', url: '/api/v1/dead-letters/retry', body: { job_name: 'none' }, scope: 'write' },
    { method: 'DELETE', url: '/api/v1/dead-letters/nope', scope: 'write' },
  ];
}

const call = (e: Endpoint, authorization?: string) =>
  server.app.inject({ method: e.method, url: e.url, payload: e.body, headers: authorization === undefined ? {} : { authorization } });

describe('auth matrix', () => {
  it('answers 401 without a valid token and 403 below the needed scope, on every endpoint', async () => {
    const rank: Scope[] = ['read', 'write', 'admin'];
    for (const e of endpoints()) {
      const label = `${e.method} ${e.url}`;
      for (const [name, header] of [
        ['no token', undefined],
        ['not bearer', `Basic ${Buffer.from('a:b').toString('base64')}`],
        ['bad signature', `Bearer ${tokens.badSignature}`],
        ['expired', `Bearer ${tokens.expired}`],
        ['no chime scope', `Bearer ${tokens.noScope}`],
        ['garbage', 'Bearer not.a.jwt'],
      ] as const) {
        const response = await call(e, header);
        expect(response.statusCode, `${label} with ${name}`).toBe(401);
        expect(response.json().detail, `${label} with ${name}`).toBeTypeOf('string');
      }
      expect((await call(e, `Bearer ${tokens.expired}`)).json().detail).toBe('token expired');
      expect((await call(e, `Bearer ${tokens.badSignature}`)).json().detail).toBe('token signature is not valid');
      for (const scope of rank) {
        const response = await call(e, `Bearer ${tokens[scope]}`);
        if (rank.indexOf(scope) < rank.indexOf(e.scope)) {
          expect(response.statusCode, `${label} as ${scope}`).toBe(403);
          expect(response.json().detail).toContain(`"${e.scope}"`);
        } else {
          expect([401, 403, 500], `${label} as ${scope}: ${response.body}`).not.toContain(response.statusCode);
        }
      }
    }
  });

  it('leaves the Dapr API and health open', async () => {
    expect((await server.app.inject({ url: '/v1.0/jobs' })).statusCode).toBe(200);
    expect((await server.app.inject({ url: '/healthz' })).statusCode).toBe(204);
  });
});

describe('bad input to every endpoint', () => {
  const cases: [Method, string, unknown, RegExp][] = [
    ['GET', '/api/v1/jobs?limit=abc', undefined, /limit/],
    ['GET', '/api/v1/jobs?offset=-1', undefined, /offset/],
    ['GET', '/api/v1/jobs?order_dir=up', undefined, /order_dir/],
    ['GET', '/api/v1/jobs?priority=urgent', undefined, /priority/],
    ['GET', '/api/v1/jobs?color=blue', undefined, /color: unknown query parameter/],
    ['GET', '/api/v1/jobs/no-such-job', undefined, /Job not found/],
    ['POST', '/api/v1/jobs', 'not json', /body: /],
    ['POST', '/api/v1/jobs', [], /must be an object/],
    ['POST', '/api/v1/jobs', { task_name: '' }, /task_name/],
    ['POST', '/api/v1/jobs', { task_name: 'noop', kwargs: [] }, /kwargs: must be an object/],
    ['POST', '/api/v1/jobs', { task_name: 'noop', tags: [1] }, /tags.0: must be a string/],
    ['POST', '/api/v1/jobs', { task_name: 'noop', timeout: 'long' }, /timeout: must be a number/],
    ['POST', '/api/v1/jobs', { task_name: 'noop', job_id: 'has/slash' }, /job_id/],
    ['POST', '/api/v1/jobs/bulk', { jobs: [] }, /jobs/],
    ['POST', '/api/v1/jobs/bulk', { jobs: [{ task_name: 'noop' }, { task_name: 'missing' }] }, /jobs\[1\]: Task not found: missing/],
    ['POST', '/api/v1/jobs/no-such-job/cancel', {}, /Job not found/],
    ['POST', '/api/v1/jobs/x/cancel', { reason: 5 }, /reason: must be a string or null/],
    ['POST', '/api/v1/jobs', { task_name: 'noop', scheduled_at: 5 }, /scheduled_at: must be a string or null/],
    ['POST', '/api/v1/schedules', { name: 'x', task_name: 'noop', interval: 'weekly' }, /interval: must be an object or null/],
    ['POST', '/api/v1/jobs/no-such-job/retry', undefined, /Job not found/],
    ['POST', '/api/v1/jobs/run-sync', { task_name: 'noop', job_id: 'x' }, /job_id: unknown field/],
    ['GET', '/api/v1/schedules?status=sleeping', undefined, /status/],
    ['GET', '/api/v1/schedules/nope', undefined, /Schedule not found/],
    ['POST', '/api/v1/schedules', { name: 'x', task_name: 'noop', interval: { weeks: 1 } }, /interval.weeks: unknown field/],
    ['PUT', '/api/v1/schedules/nope', { name: 'x' }, /Schedule not found/],
    ['PUT', '/api/v1/schedules/nope', { status: 'deleted' }, /status/],
    ['DELETE', '/api/v1/schedules/nope', undefined, /Schedule not found/],
    ['POST', '/api/v1/queues/bad%20queue/clear', undefined, /queue_name/],
    ['GET', '/api/v1/dead-letters?limit=0', undefined, /limit/],
    ['GET', '/api/v1/dead-letters?status=x', undefined, /status: unknown query parameter/],
    ['POST', '/api/v1/dead-letters/retry', { job_name: 5 }, /job_name/],
    ['POST', '/api/v1/dead-letters/retry', { everything: true }, /everything: unknown field/],
    ['GET', '/api/v1/schedules/preview?cron_expression=nope', undefined, /cron_expression/],
    ['GET', '/api/v1/events?color=blue', undefined, /color: unknown query parameter/],
    ['GET', '/api/v1/events?types=job.exploded', undefined, /types: "job.exploded" is not an event type/],
    ['PUT', '/api/v1/queues/q', { concurrency: 'many' }, /concurrency/],
    ['PUT', '/api/v1/queues/q', {}, /concurrency: is required/],
    ['GET', '/api/v1/tasks/nope', undefined, /Task not found: nope/],
    ['GET', '/api/v1/tasks/noop?version=9&extra=1', undefined, /extra: unknown query parameter/],
  ];

  it.each(cases)('%s %s', async (method, url, body, message) => {
    const headers: Record<string, string> = { authorization: `Bearer ${tokens.admin}` };
    let payload: string | object | undefined = body as object | undefined;
    if (typeof body === 'string') {
      payload = body;
      headers['content-type'] = 'application/json';
    }
    const response = await server.app.inject({ method, url, payload, headers });
    expect(response.statusCode, response.body).toBeGreaterThanOrEqual(400);
    expect(response.statusCode, response.body).toBeLessThan(500);
    expect(response.json().detail).toMatch(message);
  });
});

/**
 * `GET /api/v1/jobs` lists every job created through /api/v1: the task jobs, and the jobs
 * with an HTTP target, which run on the callback lane beside the Dapr jobs. The Dapr jobs
 * stay out of it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { startTestServer, testToken } from '../support/server.js';

let server: ChimeServer;
let auth: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer({
    clock: new VirtualClock(T0),
    taskDefinitions: [defineTask({ name: 'generate_report', handler: () => 'report' })],
    allowTarget: ['hooks.example'],
  });
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  await server.close();
});

async function post(url: string, payload: object): Promise<any> {
  const response = await server.app.inject({ method: 'POST', url, payload, headers: url.startsWith('/api/v1') ? auth : {} });
  expect(response.statusCode, response.body).toBeLessThan(300);
  return response.body ? response.json() : null;
}

describe('GET /api/v1/jobs', () => {
  it('lists the task jobs and the HTTP-target jobs created through /api/v1, and no Dapr job', async () => {
    // An hour ahead: nothing runs, so every job stays pending and listed as created.
    const later = new Date(T0 + 3_600_000).toISOString();
    const task = await post('/api/v1/jobs', { task_name: 'generate_report', scheduled_at: later });
    const http = await post('/api/v1/jobs', { task_name: 'ping-billing', scheduled_at: later, target: { url: 'https://hooks.example/billing' } });
    await post('/v1.0/jobs/nightly', { dueTime: '1h', data: { n: 1 } });

    const list = await server.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: auth });
    expect(list.statusCode).toBe(200);
    const body = list.json() as { total: number; items: { id: string }[] };
    expect(body.items.map((j) => j.id).sort()).toEqual([task.id, http.id].sort());
    expect(body.total).toBe(2);
    const pending = await server.app.inject({ method: 'GET', url: '/api/v1/jobs?status=pending&limit=1', headers: auth });
    expect(pending.json()).toMatchObject({ total: 2 });
    // The one it lists is also the one GET by id returns.
    expect((await server.app.inject({ method: 'GET', url: `/api/v1/jobs/${http.id}`, headers: auth })).json()).toMatchObject({ id: http.id });
  });
});

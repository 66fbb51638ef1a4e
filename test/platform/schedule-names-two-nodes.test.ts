/**
 * Two servers on one store (two nodes) creating one schedule name at the same moment answer
 * as one server does to the same creates one after another: one 200 and 409s, or with
 * upsert=true 200s that all name the one schedule.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { startTestServer, testToken } from '../support/server.js';
import { freshStoreSpec } from '../support/store-backend.js';

let nodes: ChimeServer[];
let auth: Record<string, string>;

beforeAll(async () => {
  const store = freshStoreSpec();
  const taskDefinitions = [defineTask({ name: 'check_status', queue: 'default', handler: () => null })];
  nodes = [];
  for (let i = 0; i < 2; i++) nodes.push(await startTestServer({ clock: new VirtualClock(T0), store, taskDefinitions }));
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  for (const node of nodes ?? []) await node.close();
});

async function post(node: ChimeServer, url: string, payload: object): Promise<{ status: number; body: any }> {
  const response = await node.app.inject({ method: 'POST', url: `/api/v1${url}`, payload, headers: auth });
  return { status: response.statusCode, body: response.json() };
}

async function schedulesTagged(tag: string): Promise<{ id: string; name: string; cron_expression: string }[]> {
  const response = await nodes[0]!.app.inject({ method: 'GET', url: `/api/v1/schedules?tags=${tag}`, headers: auth });
  return (response.json() as { items: { id: string; name: string; cron_expression: string }[] }).items;
}

/** `count` creates at once, alternating between the two nodes. */
function raceOnBothNodes(count: number, url: string, payload: (i: number) => object) {
  return Promise.all(Array.from({ length: count }, (_, i) => post(nodes[i % 2]!, url, payload(i))));
}

describe('a schedule name created on two nodes at once', () => {
  it('is created once; the other creates are 409 SCHEDULE_EXISTS, as they would be one after another', async () => {
    const body = { name: 'my schedule', task_name: 'check_status', cron_expression: '0 3 * * *', tags: ['plain'] };
    const answers = await raceOnBothNodes(10, '/schedules', () => body);
    expect(answers.map((a) => a.status).sort()).toEqual([200, ...Array.from({ length: 9 }, () => 409)]);
    const created = answers.find((a) => a.status === 200)!.body as { id: string };
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.detail).toBe(`Schedule already exists: my schedule (${created.id}); update it, or create with ?upsert=true`);
    }
    expect((await schedulesTagged('plain')).map((s) => s.id)).toEqual([created.id]);
  });

  it('with upsert=true, is created once and the other creates update that one schedule', async () => {
    const answers = await raceOnBothNodes(10, '/schedules?upsert=true', (i) => ({
      name: 'boot schedule',
      task_name: 'check_status',
      cron_expression: `${i} 4 * * *`,
      tags: ['boot'],
    }));
    expect(answers.map((a) => a.status)).toEqual(Array.from({ length: 10 }, () => 200));
    const ids = new Set(answers.map((a) => (a.body as { id: string }).id));
    expect(ids.size).toBe(1);
    const [only, ...others] = await schedulesTagged('boot');
    expect(others).toEqual([]);
    expect(ids.has(only!.id)).toBe(true);
    // The last write wins, whichever it was: the schedule holds one of the requests' cron expressions.
    expect(answers.map((a) => (a.body as { cron_expression: string }).cron_expression)).toContain(only!.cron_expression);
  });
});

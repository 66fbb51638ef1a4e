/**
 * A claim on SQLite reads only due jobs, however many future ones are stored: each walk is a
 * range of jobs_due bounded by run_at, not a walk of the queue's whole index in priority order
 * (which read every future job whenever fewer than the limit were due).
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { claimWalkSql } from '../../src/store/sqlite/claims.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { newJob } from '../support/fixtures.js';
import { planOf as planOfSql } from '../support/sqlite-plans.js';
import { tempDbPath } from '../support/temp.js';

let store: SqliteStore;
beforeEach(async () => {
  store = new SqliteStore({ path: tempDbPath() });
  await store.open();
});
afterEach(() => store.close());

const planOf = (sql: string): string[] => planOfSql(store.database, sql);

it.each([
  ['task', { target: 'task', queues: ['q'], tasks: ['t'] }],
  ['callback', { target: 'callback' }],
] as const)('the %s lane claim walks jobs_due within (queue, priority, run_at ≤ due)', (_, lane) => {
  for (const status of ['running', 'reserved'] as const) {
    expect(planOf(claimWalkSql(lane, status))).toContain('SEARCH jobs USING INDEX jobs_due (queue=? AND priority=? AND run_at<?)');
  }
});

it('claims due jobs of every priority in priority order, past a backlog of future ones', async () => {
  const now = Date.now();
  const future = Array.from({ length: 500 }, () => newJob({ priority: 'critical', runAt: now + 3_600_000 }));
  const low = newJob({ priority: 'low', runAt: now - 2 });
  const normal = newJob({ priority: 'normal', runAt: now - 1 });
  const critical = newJob({ priority: 'critical', runAt: now });
  await store.insertJobs([...future, low, normal, critical]);
  const queue = critical.queue;
  const claimed = await store.claimDue({
    lane: { target: 'task', queues: [queue], tasks: [critical.taskName!] },
    now,
    owner: 'node-a',
    leaseMs: 30_000,
    limit: 10,
    planNext: () => ({ next: null, deliver: true }),
  });
  expect(claimed.map((job) => job.id)).toEqual([critical.id, normal.id, low.id]);
});

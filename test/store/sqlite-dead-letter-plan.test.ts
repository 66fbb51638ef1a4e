/**
 * The dead letters on SQLite walk their own partial index (migration 012), not every callback
 * job: with a million finished Dapr-style jobs the walk took 305 ms on the event loop.
 */
import { afterEach, beforeEach, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { JobQuery } from '../../src/store/store.js';
import { planOf } from '../support/sqlite-plans.js';
import { tempDbPath } from '../support/temp.js';

let store: SqliteStore;
beforeEach(async () => {
  store = new SqliteStore({ path: tempDbPath() });
  await store.open();
});
afterEach(() => store.close());

/** The statements `listJobs(query)` prepares, in order. */
async function statementsOf(query: JobQuery): Promise<string[]> {
  const db = store.database;
  const prepare = db.prepare.bind(db);
  const seen: string[] = [];
  db.prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  try {
    await store.listJobs(query);
  } finally {
    db.prepare = prepare;
  }
  return seen.filter((sql) => sql.includes('FROM jobs'));
}

const DEAD_LETTERS: JobQuery = { target: 'callback', statuses: ['failed', 'timeout'], limit: 25, offset: 0, orderBy: 'completed_at', orderDir: 'desc' };

it('walks jobs_dead_letters for the dead letters page and their total', async () => {
  const statements = await statementsOf(DEAD_LETTERS);
  expect(statements).toHaveLength(2);
  for (const sql of statements) expect(planOf(store.database, sql).join('\n')).toMatch(/USING (COVERING )?INDEX jobs_dead_letters/);
});

it('keeps other status filters of callback jobs off the dead letters index', async () => {
  for (const sql of await statementsOf({ ...DEAD_LETTERS, statuses: ['failed'] })) {
    expect(planOf(store.database, sql).join('\n')).not.toMatch(/jobs_dead_letters/);
  }
});

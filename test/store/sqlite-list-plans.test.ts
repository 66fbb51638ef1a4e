/**
 * Lists that pick a rare slice of jobs on SQLite walk a partial index of that slice, not every
 * job the other filters leave: the dead letters (migration 012; with a million finished
 * Dapr-style jobs the walk took 305 ms on the event loop) and the failed jobs of a dialect
 * (migration 013; 359 ms with a million v1 jobs). The dead letters' count in each metrics scrape
 * walks the same index.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ScanReader } from '../../src/store/sqlite/scan-reader.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import type { JobQuery } from '../../src/store/store.js';
import { newJob } from '../support/fixtures.js';
import { planOf } from '../support/sqlite-plans.js';
import { tempDbPath } from '../support/temp.js';

let store: SqliteStore;
beforeEach(async () => {
  store = new SqliteStore({ path: tempDbPath() });
  await store.open();
});
afterEach(() => store.close());

/** The statements `listJobs(query)` prepares, in order, then those it sends to the scan reader. */
async function statementsOf(query: JobQuery): Promise<string[]> {
  const db = store.database;
  const prepare = db.prepare.bind(db);
  const seen: string[] = [];
  db.prepare = ((sql: string) => {
    seen.push(sql);
    return prepare(sql);
  }) as typeof db.prepare;
  const scans = vi.spyOn(ScanReader.prototype, 'value');
  try {
    await store.listJobs(query);
    seen.push(...scans.mock.calls.map(([sql]) => sql));
  } finally {
    db.prepare = prepare;
    scans.mockRestore();
  }
  return seen.filter((sql) => sql.includes('FROM jobs'));
}

const DEAD_LETTERS: JobQuery = { target: 'callback', statuses: ['failed', 'timeout'], limit: 25, offset: 0, orderBy: 'completed_at', orderDir: 'desc' };

it('walks jobs_dead_letters for the dead letters page and their total', async () => {
  const statements = await statementsOf(DEAD_LETTERS);
  // The page's statement, the JSON form of it that runs (SqliteContext.rows), and the total.
  expect(statements).toHaveLength(3);
  for (const sql of statements) expect(planOf(store.database, sql).join('\n')).toMatch(/USING (COVERING )?INDEX jobs_dead_letters/);
});

it('keeps other status filters of callback jobs off the dead letters index', async () => {
  for (const sql of await statementsOf({ ...DEAD_LETTERS, statuses: ['failed'] })) {
    expect(planOf(store.database, sql).join('\n')).not.toMatch(/jobs_dead_letters/);
  }
});

it('counts the dead letters behind each metrics scrape (jobCounts) through jobs_dead_letters alone', async () => {
  const scans = vi.spyOn(ScanReader.prototype, 'rows');
  try {
    await store.jobCounts();
    const counts = scans.mock.calls.map(([sql]) => sql).filter((sql) => sql.includes('callback'));
    expect(counts).toHaveLength(1);
    expect(planOf(store.database, counts[0]!).join('\n')).toMatch(/^(SCAN|SEARCH) jobs USING (COVERING )?INDEX jobs_dead_letters$/);
  } finally {
    scans.mockRestore();
  }
});

const FAILED_V1: JobQuery = { dialect: 'v1', statuses: ['failed'], limit: 50, offset: 0, orderBy: 'created_at', orderDir: 'desc' };

it('walks jobs_failed_by_dialect for the failed jobs of a dialect, page and total', async () => {
  const statements = await statementsOf(FAILED_V1);
  expect(statements).toHaveLength(3);
  for (const sql of statements) expect(planOf(store.database, sql).join('\n')).toMatch(/USING (COVERING )?INDEX jobs_failed_by_dialect/);
});

it('lists the failed jobs of a dialect newest first, and nothing else', async () => {
  const jobs = [newJob(), newJob(), newJob(), newJob({ dialect: 'envelope' }), newJob()];
  await store.insertJobs(jobs);
  const failed = [jobs[0]!, jobs[2]!, jobs[3]!];
  store.database.prepare(`UPDATE jobs SET status = 'failed', completed_at = 1 WHERE id IN (?, ?, ?)`).run(...failed.map((j) => j.id));
  const page = await store.listJobs(FAILED_V1);
  expect(page.items.map((j) => j.id)).toEqual([jobs[2]!.id, jobs[0]!.id]);
  expect(page.total).toBe(2);
  const oldestFirst = await store.listJobs({ ...FAILED_V1, orderDir: 'asc', limit: 1 });
  expect(oldestFirst.items.map((j) => j.id)).toEqual([jobs[0]!.id]);
});

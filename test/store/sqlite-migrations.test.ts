/**
 * Migrations on a database an older version made: 007 renames the `seed` dialect to
 * `envelope` in rows stored before it, and the later migrations' indexes build over them;
 * 010's dialect index serves the `/api/v1` jobs list over the jobs stored before it; 011 rewrites
 * the finished-row indexes' predicates, which the purge still uses; 012 and 013 index the dead letters
 * and the failed jobs by dialect; 014 adds the due log; 015 drops the index by target, and the
 * task job stats still count the task jobs stored before it.
 */
import { expect, it } from 'vitest';
import { TASK_JOB_SQL } from '../../src/store/sqlite/sql-spellings.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { callbackTemplate, firstJob, newJob, newSchedule } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

/**
 * What migrations 012 to 015 did (two indexes and the due log added, 009's target index
 * dropped), taken back to stand for a database from before them.
 */
const UNDO_012_TO_015 = 'DROP INDEX jobs_dead_letters; DROP INDEX jobs_failed_by_dialect; DROP TABLE due_log; CREATE INDEX jobs_target ON jobs(target);';

/** A database file as an older version left it: `write` stores rows, `undo` takes back the later migrations. */
async function olderDatabase(write: (store: SqliteStore) => Promise<unknown>, undo: string): Promise<string> {
  const path = tempDbPath();
  const old = new SqliteStore({ path });
  await old.open();
  await write(old);
  old.database.exec(undo);
  await old.close();
  return path;
}

/** Opens the file with this version (its migrations run), runs `check`, closes. */
async function reopened(path: string, check: (store: SqliteStore) => Promise<void>): Promise<void> {
  const store = new SqliteStore({ path });
  await store.open();
  try {
    await check(store);
  } finally {
    await store.close();
  }
}

it('a database from before migration 007 reads its seed-dialect rows as envelope after opening', async () => {
  const schedule = newSchedule();
  const job = firstJob(schedule);
  // Written as the version before 007 wrote it: the dialect was called `seed`, and the
  // migrations table stops at 006.
  const path = await olderDatabase(
    (old) => old.createSchedule(schedule, job, 'create'),
    `UPDATE schedules SET dialect = 'seed'; UPDATE jobs SET dialect = 'seed'; ${UNDO_012_TO_015}
    DROP INDEX schedules_v1_name; DROP INDEX jobs_target; DROP INDEX jobs_dialect;
    DELETE FROM chime_migrations WHERE version >= 7;`,
  );
  await reopened(path, async (store) => {
    const applied = store.database.prepare('SELECT version FROM chime_migrations WHERE version >= 7 ORDER BY version').pluck().all();
    expect(applied).toEqual([7, 8, 9, 10, 11, 12, 13, 14, 15]);
    expect((await store.getSchedule(schedule.id))?.dialect).toBe('envelope');
    expect((await store.getJob(job.id))?.dialect).toBe('envelope');
    const left = store.database.prepare(`SELECT (SELECT COUNT(*) FROM schedules WHERE dialect = 'seed') + (SELECT COUNT(*) FROM jobs WHERE dialect = 'seed')`).pluck().get();
    expect(left).toBe(0);
  });
});

it('a database from before migration 010 lists its jobs by dialect through the new index', async () => {
  const task = newJob();
  const httpTarget = newJob({}, callbackTemplate());
  const dapr = newJob({ dialect: 'dapr' }, callbackTemplate());
  const path = await olderDatabase(
    (old) => old.insertJobs([task, httpTarget, dapr]),
    `DROP INDEX jobs_dialect; ${UNDO_012_TO_015} DELETE FROM chime_migrations WHERE version >= 10;`,
  );
  await reopened(path, async (store) => {
    expect(store.database.prepare('SELECT version FROM chime_migrations WHERE version >= 10').pluck().all()).toEqual([10, 11, 12, 13, 14, 15]);
    // The list's first page (SQLite orders created_at by seq): the index, and no sort.
    const plan = store.database
      .prepare(`EXPLAIN QUERY PLAN SELECT * FROM jobs WHERE dialect = 'v1' ORDER BY seq DESC, seq DESC LIMIT 50 OFFSET 0`)
      .all()
      .map((row) => (row as { detail: string }).detail);
    expect(plan).toEqual(['SEARCH jobs USING INDEX jobs_dialect (dialect=?)']);
    const page = await store.listJobs({ dialect: 'v1', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
    expect(page.items.map((j) => j.id)).toEqual([httpTarget.id, task.id]);
  });
});

it('a database from before migration 011 gets the finished-row predicates as ORs and still purges through them', async () => {
  const schedule = newSchedule({ recurrence: { kind: 'once' } });
  const job = firstJob(schedule);
  const path = await olderDatabase(
    (old) => old.createSchedule(schedule, job, 'create'),
    `UPDATE jobs SET status = 'completed', completed_at = 1; UPDATE schedules SET status = 'completed', updated_at = 1;
    DROP INDEX jobs_finished;
    CREATE INDEX jobs_finished ON jobs(completed_at) WHERE status IN ('completed', 'failed', 'cancelled', 'timeout');
    DROP INDEX schedules_finished;
    CREATE INDEX schedules_finished ON schedules(updated_at) WHERE status IN ('completed', 'expired', 'failed');
    ${UNDO_012_TO_015} DELETE FROM chime_migrations WHERE version >= 11;`,
  );
  await reopened(path, async (store) => {
    const indexSql = store.database
      .prepare(`SELECT name, sql FROM sqlite_master WHERE name IN ('jobs_finished', 'schedules_finished') ORDER BY name`)
      .all() as { name: string; sql: string }[];
    expect(indexSql.map((index) => index.sql.includes(`WHERE status = 'completed' OR status = `))).toEqual([true, true]);
    expect(await store.purgeFinished(2, 100)).toBe(1);
    expect(await store.getJob(job.id)).toBeNull();
    expect(await store.getSchedule(schedule.id)).toBeNull();
  });
});

it('a database from before migration 012 gets the dead letters index over the dead letters it holds', async () => {
  const schedule = newSchedule({ recurrence: { kind: 'once' } });
  const job = firstJob(schedule);
  const path = await olderDatabase(
    (old) => old.createSchedule(schedule, job, 'create'),
    `UPDATE jobs SET status = 'failed', completed_at = 5; ${UNDO_012_TO_015} DELETE FROM chime_migrations WHERE version >= 12;`,
  );
  await reopened(path, async (store) => {
    const entries = store.database.prepare(`SELECT COUNT(*) FROM jobs INDEXED BY jobs_dead_letters WHERE target = 'callback' AND (status = 'failed' OR status = 'timeout')`).pluck().get();
    expect(entries).toBe(1);
    const page = await store.listJobs({ target: 'callback', statuses: ['failed', 'timeout'], limit: 10, offset: 0, orderBy: 'completed_at', orderDir: 'desc' });
    expect(page.items.map((j) => j.id)).toEqual([job.id]);
    expect(page.total).toBe(1);
  });
});

it('a database from before migration 015 drops the target index, and its task job stats still count its task jobs', async () => {
  const tasks = [newJob(), newJob()];
  const httpTarget = newJob({}, callbackTemplate());
  const dapr = newJob({ dialect: 'dapr' }, callbackTemplate());
  const path = await olderDatabase(
    (old) => old.insertJobs([...tasks, httpTarget, dapr]),
    // A task job of another dialect, which no version of Chime wrote but the old schema allowed.
    `UPDATE jobs SET dialect = 'envelope' WHERE id = '${tasks[1]!.id}';
    CREATE INDEX jobs_target ON jobs(target); DELETE FROM chime_migrations WHERE version >= 15;`,
  );
  await reopened(path, async (store) => {
    expect(store.database.prepare('SELECT version FROM chime_migrations WHERE version >= 15').pluck().all()).toEqual([15]);
    expect(store.database.prepare(`SELECT COUNT(*) FROM sqlite_master WHERE name = 'jobs_target'`).pluck().get()).toBe(0);
    expect((await store.getJob(tasks[1]!.id))?.dialect).toBe('v1');
    const stats = await store.jobStats();
    expect(stats.total).toBe(2);
    expect(stats.byStatus.pending).toBe(2);
    // Through jobs_dialect: the v1 jobs, not every job.
    const plan = store.database
      .prepare(`EXPLAIN QUERY PLAN SELECT queue, status, priority, COUNT(*) AS n FROM jobs WHERE ${TASK_JOB_SQL} GROUP BY queue, status, priority`)
      .all()
      .map((row) => (row as { detail: string }).detail);
    expect(plan[0]).toBe('SEARCH jobs USING INDEX jobs_dialect (dialect=?)');
  });
});

/**
 * Migrations on a database an older version made: 007 renames the `seed` dialect to
 * `envelope` in rows stored before it, and the later migrations' indexes build over them.
 */
import { expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { firstJob, newSchedule } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

it('a database from before migration 007 reads its seed-dialect rows as envelope after opening', async () => {
  const path = tempDbPath();
  const schedule = newSchedule();
  const job = firstJob(schedule);
  // Written as the version before 007 wrote it: the dialect was called `seed`, and the
  // migrations table stops at 006.
  const old = new SqliteStore({ path });
  await old.open();
  await old.createSchedule(schedule, job, 'create');
  old.database.exec(`UPDATE schedules SET dialect = 'seed'; UPDATE jobs SET dialect = 'seed';
    DROP INDEX schedules_v1_name; DROP INDEX jobs_target; DELETE FROM chime_migrations WHERE version >= 7;`);
  await old.close();

  const store = new SqliteStore({ path });
  await store.open();
  try {
    const applied = store.database.prepare('SELECT version FROM chime_migrations WHERE version >= 7 ORDER BY version').pluck().all();
    expect(applied).toEqual([7, 8, 9]);
    expect((await store.getSchedule(schedule.id))?.dialect).toBe('envelope');
    expect((await store.getJob(job.id))?.dialect).toBe('envelope');
    const left = store.database.prepare(`SELECT (SELECT COUNT(*) FROM schedules WHERE dialect = 'seed') + (SELECT COUNT(*) FROM jobs WHERE dialect = 'seed')`).pluck().get();
    expect(left).toBe(0);
  } finally {
    await store.close();
  }
});

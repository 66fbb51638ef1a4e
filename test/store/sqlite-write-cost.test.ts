/**
 * The SQLite store's statements do no extra work each time they run (sqlite/sql-spellings.ts).
 *
 * The statements a fired Dapr job runs build no temporary b-tree. SQLite evaluates
 * `status IN (three or more constants)` by building one (an "ephemeral table"), and a partial
 * index's predicate runs for the old and the new row of every write: with migration 001's
 * finished-row indexes, each status update of a job or a schedule built two. Migration 011
 * spells the predicates as ORs of equalities; the purge, which uses those indexes, repeats the
 * same text.
 *
 * No statement has a bare `LIMIT ?`: SQLite 3.51 compiles the value bound there into the
 * program, so each run with a newly bound limit prepares the statement again.
 */
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { ADVANCE_SQL, FINISH_IF_DONE_SQL } from '../../src/store/sqlite/advance-schedules.js';
import { PURGE_JOB_IDS_SQL, PURGE_SCHEDULES_SQL } from '../../src/store/sqlite/jobs.js';
import { INSERT_HISTORY_SQL } from '../../src/store/sqlite/rows.js';
import { SqliteContext } from '../../src/store/sqlite/context.js';
import { BOUND_LIMIT } from '../../src/store/sqlite/sql-spellings.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { occurrencePlanner } from '../../src/store/planners.js';
import { firstJob, newSchedule, T0 } from '../support/fixtures.js';
import { ephemeralTables as countEphemeral, planOf as planOfSql } from '../support/sqlite-plans.js';
import { tempDbPath } from '../support/temp.js';

let store: SqliteStore;
beforeEach(async () => {
  store = new SqliteStore({ path: tempDbPath() });
  await store.open();
});
afterEach(() => store.close());

const ephemeralTables = (sql: string): number => countEphemeral(store.database, sql);
const planOf = (sql: string): string[] => planOfSql(store.database, sql);

const JOB_STATUS_UPDATE = 'UPDATE jobs SET status = ?, completed_at = ? WHERE id = ?';
const SCHEDULE_STATUS_UPDATE = 'UPDATE schedules SET status = ?, updated_at = ? WHERE id = ?';

it.each([
  ['a job status update', JOB_STATUS_UPDATE],
  ['a schedule status update', SCHEDULE_STATUS_UPDATE],
  ['advancing a schedule past its occurrence', ADVANCE_SQL],
  ['ending a schedule after its last occurrence', FINISH_IF_DONE_SQL],
  ['the history entry', INSERT_HISTORY_SQL],
])('%s builds no temporary b-tree', (_, sql) => {
  expect(ephemeralTables(sql)).toBe(0);
});

it('the predicates as migration 001 wrote them built two per status update', () => {
  store.database.exec(`DROP INDEX jobs_finished;
    CREATE INDEX jobs_finished ON jobs(completed_at) WHERE status IN ('completed', 'failed', 'cancelled', 'timeout');
    DROP INDEX schedules_finished;
    CREATE INDEX schedules_finished ON schedules(updated_at) WHERE status IN ('completed', 'expired', 'failed');`);
  expect(ephemeralTables(JOB_STATUS_UPDATE)).toBe(2);
  expect(ephemeralTables(SCHEDULE_STATUS_UPDATE)).toBe(2);
});

it('the purge walks the finished-row indexes', () => {
  expect(planOf(PURGE_JOB_IDS_SQL)).toEqual(['SEARCH jobs USING INDEX jobs_finished (completed_at<?)']);
  expect(planOf(PURGE_SCHEDULES_SQL)).toContain('SEARCH schedules USING INDEX schedules_finished (updated_at<?)');
});

it('no statement the store runs has a bare LIMIT ?', async () => {
  const texts = new Set<string>();
  for (const method of ['prepare', 'rows'] as const) {
    const original = SqliteContext.prototype[method] as (this: SqliteContext, sql: string) => never;
    vi.spyOn(SqliteContext.prototype, method).mockImplementation(function (this: SqliteContext, sql: string) {
      texts.add(sql);
      return original.call(this, sql);
    });
  }
  try {
    const schedule = newSchedule({ recurrence: { kind: 'once' } });
    await store.createSchedule(schedule, firstJob(schedule), 'create');
    const lane = { target: 'callback' } as const;
    await store.peekDueTimes(lane, T0 + 1, 10);
    const [job] = await store.claimDue({ lane, now: T0 + 1, limit: 10, owner: 'node-a', leaseMs: 1000, planNext: occurrencePlanner(5000), as: 'reserved' });
    await store.reapExpiredLeases({ now: T0 + 2, limit: 10 });
    await store.recordOutcomes([{ jobId: job!.id, owner: 'node-a', status: 'completed', finishedAt: T0 + 2 }]);
    await store.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
    await store.listSchedules({ limit: 10, offset: 0 });
    await store.listHistory({ limit: 10 });
    await store.purgeFinished(T0 + 3, 10);
  } finally {
    vi.restoreAllMocks();
  }
  const limited = [...texts].filter((sql) => /\bLIMIT\b/.test(sql));
  expect(limited.length).toBeGreaterThanOrEqual(6);
  expect(limited.filter((sql) => /LIMIT \?/.test(sql))).toEqual([]);
});

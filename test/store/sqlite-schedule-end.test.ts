/**
 * The SQLite store ends a schedule in one statement (FINISH_IF_DONE_SQL), whose CASE mirrors
 * finishedScheduleStatus. Every combination of what that function reads is run through
 * both, on a real store, and must agree; and the statement's conditions (active, no next
 * occurrence, no open job) must each hold the schedule open.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FINAL_STATUSES, type JobStatus, type Recurrence } from '../../src/core/types.js';
import { finishedScheduleStatus } from '../../src/store/schedule-end.js';
import { finishScheduleIfDone } from '../../src/store/sqlite/advance-schedules.js';
import { SqliteContext } from '../../src/store/sqlite/context.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { firstJob, newSchedule, T0 } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

let store: SqliteStore;
/** A context on the store's own connection, as its operations get. */
let ctx: SqliteContext;
beforeEach(async () => {
  store = new SqliteStore({ path: tempDbPath() });
  await store.open();
  ctx = new SqliteContext(store.database);
});
afterEach(() => store.close());

const RECURRENCES: Recurrence[] = [{ kind: 'once' }, { kind: 'every', everyMs: 1000 }, { kind: 'cron', expression: '* * * * *', timezone: null }];

interface Shape {
  recurrence: Recurrence;
  expiresAt: number | null;
  repeats: number | null;
  fireCount: number;
}

/** A schedule in `shape` whose only job has ended with `jobStatus`, or is still open. */
async function scheduleWithEndedJob(shape: Shape, jobStatus: JobStatus | 'pending'): Promise<string> {
  const schedule = newSchedule({ recurrence: shape.recurrence, expiresAt: shape.expiresAt, repeats: shape.repeats });
  await store.createSchedule(schedule, firstJob(schedule), 'create');
  store.database
    .prepare('UPDATE schedules SET next_run_at = NULL, fire_count = ?, last_occurrence = ? WHERE id = ?')
    .run(shape.fireCount, T0, schedule.id);
  store.database.prepare('UPDATE jobs SET status = ? WHERE schedule_id = ?').run(jobStatus, schedule.id);
  return schedule.id;
}

const statusOf = (id: string): string => (store.database.prepare('SELECT status FROM schedules WHERE id = ?').pluck().get(id) as string);

describe('ending a schedule in one statement', () => {
  const shapes: Shape[] = RECURRENCES.flatMap((recurrence) =>
    [null, T0 + 60_000].flatMap((expiresAt) =>
      [null, 2].flatMap((repeats) => [0, 1, 2, 3].map((fireCount) => ({ recurrence, expiresAt, repeats, fireCount }))),
    ),
  );

  it(`agrees with finishedScheduleStatus on all ${shapes.length * FINAL_STATUSES.length} combinations`, async () => {
    const seen = new Set<string>();
    for (const shape of shapes) {
      for (const last of FINAL_STATUSES) {
        const id = await scheduleWithEndedJob(shape, last);
        finishScheduleIfDone(ctx, id, last, T0 + 5);
        const expected = finishedScheduleStatus(shape, last);
        expect({ shape, last, status: statusOf(id) }).toEqual({ shape, last, status: expected });
        seen.add(expected);
      }
    }
    // The combinations reach every end a schedule can take.
    expect([...seen].sort()).toEqual(['completed', 'expired', 'failed']);
  });

  it('leaves a schedule open while a job of it is open, it has a next occurrence, or it is paused', async () => {
    const shape: Shape = { recurrence: { kind: 'once' }, expiresAt: null, repeats: null, fireCount: 1 };
    const open = await scheduleWithEndedJob(shape, 'pending');
    const next = await scheduleWithEndedJob(shape, 'completed');
    store.database.prepare('UPDATE schedules SET next_run_at = ? WHERE id = ?').run(T0 + 1000, next);
    const paused = await scheduleWithEndedJob(shape, 'completed');
    store.database.prepare("UPDATE schedules SET status = 'paused' WHERE id = ?").run(paused);
    for (const id of [open, next, paused]) finishScheduleIfDone(ctx, id, 'completed', T0 + 5);
    expect([statusOf(open), statusOf(next), statusOf(paused)]).toEqual(['active', 'active', 'paused']);
  });
});

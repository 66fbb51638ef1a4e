/** Moving a schedule past a fired (or cancelled) occurrence, and ending it after its last. */
import type { JobStatus } from '../../core/types.js';
import { occurrenceJob } from '../occurrence-job.js';
import type { DueSignal, PlanNext } from '../store.js';
import type { SqliteContext } from './context.js';
import { FINISHED_JOB_SQL } from './sql-spellings.js';
import {
  CURSOR_COLUMNS,
  INSERT_JOB_IF_NEW_SQL,
  cursorFromRow,
  jobInsertValues,
  scheduleFromRow,
  type CursorRow,
  type ScheduleRow,
} from './rows.js';

// The statements' texts are built once: a text built per call is a new string, which the
// statement cache hashes whole on every lookup.
const CURSOR_SQL = `SELECT ${CURSOR_COLUMNS} FROM schedules WHERE id = ?`;
export const ADVANCE_SQL = `UPDATE schedules SET fire_count = fire_count + ?, last_occurrence = ?,
  last_run_at = CASE WHEN ? THEN ? ELSE last_run_at END, next_run_at = ?, updated_at = ? WHERE id = ?`;
/**
 * Ends a schedule whose last occurrence ended, in one statement: it must be active, have no
 * next occurrence and no job of it still open. The CASE is finishedScheduleStatus
 * (src/store/schedule-end.ts) in SQL, as the Redis store's Lua mirrors it; a read of the
 * cursor followed by an update cost each fired Dapr job a statement, a row built in
 * JavaScript and a JSON.parse (docs/benchmarks.md, "SQLite: a schedule ended in one
 * statement"). Parameters: the last job's status, now, the schedule's id. (`? IN` two
 * constants builds no temporary b-tree; three or more would, see sql-spellings.ts.)
 */
export const FINISH_IF_DONE_SQL = `UPDATE schedules SET status = CASE
    WHEN ? IN ('failed', 'timeout') THEN 'failed'
    WHEN json_extract(recurrence, '$.kind') <> 'once' AND expires_at IS NOT NULL
      AND (repeats IS NULL OR fire_count < repeats) THEN 'expired'
    ELSE 'completed' END, updated_at = ?
  WHERE id = ? AND status = 'active' AND next_run_at IS NULL
    AND NOT EXISTS (SELECT 1 FROM jobs WHERE schedule_id = schedules.id AND NOT (${FINISHED_JOB_SQL}))`;

interface Advance {
  deliver: boolean;
  signal: DueSignal | null;
}

/**
 * Moves a schedule past `occurrence`: counts the firing, records last_run_at and inserts the
 * next occurrence. Idempotent: an occurrence at or before `last_occurrence` was already
 * advanced past (a retry or a re-claim after a lost lease), so nothing changes.
 * `forceDeliver: false` (a cancelled occurrence) advances without counting a firing.
 */
export function advanceSchedule(
  ctx: SqliteContext,
  scheduleId: string,
  occurrence: number,
  now: number,
  planNext: PlanNext,
  forceDeliver: boolean | null,
): Advance | null {
  // The cursor only: the template (the job's payload, possibly large) is read and parsed
  // only when there is a next occurrence to make of it, which one-shot jobs never have.
  const row = ctx.rows(CURSOR_SQL).get(scheduleId) as CursorRow | undefined;
  if (!row || row.status !== 'active') return null;
  if (row.last_occurrence !== null && occurrence <= row.last_occurrence) return null;
  const plan = planNext(cursorFromRow(row), occurrence, now);
  const deliver = forceDeliver ?? plan.deliver;
  let signal: DueSignal | null = null;
  if (plan.next !== null) {
    const templateRow = ctx.rows('SELECT * FROM schedules WHERE id = ?').get(scheduleId) as ScheduleRow;
    const next = occurrenceJob(scheduleFromRow(templateRow), plan.next, now);
    const inserted = ctx.prepare(INSERT_JOB_IF_NEW_SQL).run(...jobInsertValues(next));
    if (inserted.changes > 0) signal = { target: next.target, queue: next.queue, runAt: next.runAt };
  }
  ctx
    .prepare(ADVANCE_SQL)
    // Claimed ahead of its time (dueBy), it fires at its occurrence; claimed late, about now.
    .run(deliver ? 1 : 0, occurrence, deliver ? 1 : 0, Math.max(now, occurrence), plan.next, now, scheduleId);
  return { deliver, signal };
}

/** When a schedule's last occurrence ends, the schedule ends with it (FINISH_IF_DONE_SQL). */
export function finishScheduleIfDone(ctx: SqliteContext, scheduleId: string, lastStatus: JobStatus, now: number): void {
  ctx.prepare(FINISH_IF_DONE_SQL).run(lastStatus, now, scheduleId);
}

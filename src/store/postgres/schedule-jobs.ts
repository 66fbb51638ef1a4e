/**
 * A schedule's occurrence rows as its create, update and delete change them (schedules.ts and
 * create-schedules.ts both use these; apart so the create batcher, which the database owns,
 * does not import the schedule operations).
 */
import type { DueSignal, NewJob } from '../store.js';
import { insertJobRows } from './insert-jobs.js';
import type { PgSession, Queryable } from './queryable.js';

/** Deletes a locked schedule's waiting occurrences; running ones finish. */
export async function deleteWaitingJobs(db: PgSession, tx: Queryable, scheduleId: string): Promise<void> {
  await tx.query(
    `SELECT id FROM ${db.s}.jobs WHERE schedule_id = $1 AND status IN ('pending', 'retrying') FOR UPDATE NOWAIT`,
    [scheduleId],
  );
  await tx.query(`DELETE FROM ${db.s}.jobs WHERE schedule_id = $1 AND status IN ('pending', 'retrying')`, [scheduleId]);
}

export async function insertFirst(db: PgSession, tx: Queryable, job: NewJob | null): Promise<DueSignal[]> {
  return job ? insertJobRows(db, tx, [job], false) : [];
}

/** Row shapes of the SQLite tables and their mapping to domain records. */
import { serializeDelivery } from '../../core/delivery-spec.js';
import { maxRetriesOf } from '../../core/failure-policy.js';
import { PRIORITY_RANK, type JobRecord, type ScheduleRecord } from '../../core/types.js';
import { jobFromSqlRow, scheduleFromSqlRow, type JobRowOf, type ScheduleRowOf } from '../sql-rows.js';
import type { NewJob, ScheduleCursor } from '../store.js';

/** A jobs row: the shared columns (JSON as text) and the rowid that orders creation. */
export interface JobRow extends JobRowOf<string> {
  seq: number;
  cancel_requested: number;
}

export type ScheduleRow = ScheduleRowOf<string>;

export function jobFromRow(row: JobRow): JobRecord {
  return jobFromSqlRow(row, JSON.parse);
}

/** Positional values for INSERT_JOB_SQL, in column order. */
export function jobInsertValues(job: NewJob): unknown[] {
  return [
    job.id,
    job.scheduleId,
    job.name,
    job.occurrence,
    job.runAt,
    'pending',
    job.target,
    job.queue,
    job.taskName,
    job.taskVersion,
    PRIORITY_RANK[job.priority],
    job.payload,
    job.failurePolicy === null ? null : JSON.stringify(job.failurePolicy),
    job.failurePolicy === null ? null : maxRetriesOf(job.failurePolicy),
    job.timeoutMs,
    JSON.stringify(job.tags),
    job.metadata,
    job.createdAt,
    job.dialect,
    serializeDelivery(job.delivery),
    job.traceparent ?? null,
  ];
}

const JOB_COLUMNS = `INTO jobs (id, schedule_id, name, occurrence, run_at, status, target, queue,
  task_name, task_version, priority, payload, failure_policy, max_retries, timeout_ms, tags, metadata, created_at, dialect, delivery, traceparent)`;
const JOB_VALUES_ROW = '(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)';
const JOB_INSERT_COLUMNS = `${JOB_COLUMNS}\n  VALUES ${JOB_VALUES_ROW}`;
export const INSERT_JOB_SQL = `INSERT ${JOB_INSERT_COLUMNS}`;

/**
 * Rows per statement of a batch insert (jobs.ts insertJobs): one statement's run (binding,
 * stepping, resetting) costs about as much as a row's insert, so many rows a statement cost the
 * store ~15% less CPU a job than one each (docs/benchmarks.md, "SQLite: a batch inserted 32 rows
 * a statement"); 8, 16, 32 and 64 measured, 32 and 64 alike.
 */
export const INSERT_CHUNK_ROWS = 32;
export const INSERT_JOBS_CHUNK_SQL = `INSERT ${JOB_COLUMNS}\n  VALUES ${Array<string>(INSERT_CHUNK_ROWS).fill(JOB_VALUES_ROW).join(', ')}`;
/** For materialising occurrences: the (schedule_id, occurrence) key makes a repeat a no-op. */
export const INSERT_JOB_IF_NEW_SQL = `INSERT OR IGNORE ${JOB_INSERT_COLUMNS}`;

export function scheduleFromRow(row: ScheduleRow): ScheduleRecord {
  return scheduleFromSqlRow(row, JSON.parse);
}

/** The columns of a schedule's cursor: what planning its next occurrence needs. */
export const CURSOR_COLUMNS = 'id, status, recurrence, start_at, expires_at, repeats, missed_fire, fire_count, last_occurrence, created_at';

export type CursorRow = Pick<
  ScheduleRow,
  'id' | 'status' | 'recurrence' | 'start_at' | 'expires_at' | 'repeats' | 'missed_fire' | 'fire_count' | 'last_occurrence' | 'created_at'
>;

export function cursorFromRow(row: CursorRow): ScheduleCursor {
  return {
    id: row.id,
    status: row.status,
    recurrence: JSON.parse(row.recurrence),
    startAt: row.start_at,
    expiresAt: row.expires_at,
    repeats: row.repeats,
    missedFire: row.missed_fire,
    fireCount: row.fire_count,
    createdAt: row.created_at,
  };
}

export const INSERT_SCHEDULE_SQL = `INSERT INTO schedules (id, name, dialect, target, status, recurrence, start_at,
  expires_at, repeats, missed_fire, template, fire_count, last_occurrence, last_run_at, next_run_at, source,
  created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, NULL, NULL, ?, ?, ?, ?)`;

export { scheduleInsertValues } from '../sql-rows.js';

export const INSERT_HISTORY_SQL = `INSERT INTO history (job_id, schedule_id, name, occurrence, fired_at, attempt, outcome,
  http_status, duration_ms, error, worker_id, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

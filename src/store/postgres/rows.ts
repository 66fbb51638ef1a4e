/** Row shapes of the PostgreSQL tables, their column lists and their mapping to domain records. */
import { DEAD_LETTER_STATUSES, FINAL_STATUSES, type JobRecord, type JobStatus, type ScheduleRecord } from '../../core/types.js';
import { jobFromSqlRow, scheduleFromSqlRow, type JobRowOf, type ScheduleRowOf } from '../sql-rows.js';

/** Statuses as an SQL list, for `status IN (...)`. */
function statusList(statuses: readonly JobStatus[]): string {
  return statuses.map((s) => `'${s}'`).join(', ');
}

/** The final statuses as an SQL list. */
export const FINAL_SQL = statusList(FINAL_STATUSES);

/** The dead-letter statuses as an SQL list: jobs_dead_letters' predicate (migration 013), which reads repeat to walk it. */
export const DEAD_LETTER_STATUSES_SQL = statusList(DEAD_LETTER_STATUSES);

/** json/jsonb columns arrive parsed; BIGINTs arrive as numbers (see context.ts). */
export interface JobRow extends JobRowOf<unknown> {
  cancel_requested: boolean;
}

export type ScheduleRow = ScheduleRowOf<unknown>;

const JOB_COLUMN_NAMES = [
  'id', 'schedule_id', 'name', 'occurrence', 'run_at', 'status', 'target', 'queue', 'task_name', 'task_version',
  'priority', 'payload', 'failure_policy', 'max_retries', 'timeout_ms', 'tags', 'metadata', 'attempts', 'lease_owner',
  'lease_until', 'worker_id', 'created_at', 'started_at', 'completed_at', 'result', 'error', 'cancel_requested', 'dialect',
  'delivery', 'traceparent',
] as const;

const SCHEDULE_COLUMN_NAMES = [
  'id', 'name', 'dialect', 'target', 'status', 'recurrence', 'start_at', 'expires_at', 'repeats', 'missed_fire',
  'template', 'fire_count', 'last_occurrence', 'last_run_at', 'next_run_at', 'source', 'created_at', 'updated_at',
] as const;

/**
 * Columns are always listed, never `*`: a prepared `SELECT *` fails with "cached plan must
 * not change result type" once another node's migration adds a column.
 */
export function jobColumns(alias?: string): string {
  return alias ? JOB_COLUMN_NAMES.map((c) => `${alias}.${c}`).join(', ') : JOB_COLUMN_NAMES.join(', ');
}

export function scheduleColumns(alias?: string): string {
  return alias ? SCHEDULE_COLUMN_NAMES.map((c) => `${alias}.${c}`).join(', ') : SCHEDULE_COLUMN_NAMES.join(', ');
}

export const HISTORY_COLUMNS =
  'id, job_id, schedule_id, name, occurrence, fired_at, attempt, outcome, http_status, duration_ms, error, worker_id, response';

export function jobFromRow(row: JobRow): JobRecord {
  return jobFromSqlRow(row, parsed);
}

export function scheduleFromRow(row: ScheduleRow): ScheduleRecord {
  return scheduleFromSqlRow(row, parsed);
}

/** json and jsonb columns arrive parsed by `pg`. */
function parsed(value: unknown): unknown {
  return value;
}

export function insertScheduleSql(s: string): string {
  return `INSERT INTO ${s}.schedules (id, name, dialect, target, status, recurrence, start_at, expires_at, repeats,
      missed_fire, template, fire_count, last_occurrence, last_run_at, next_run_at, source, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, NULL, $12, $13, $14, $15)`;
}

export { scheduleInsertValues } from '../sql-rows.js';

/** Row shapes of the PostgreSQL tables, their column lists and their mapping to domain records. */
import { deserializeDelivery } from '../../core/delivery-spec.js';
import {
  FINAL_STATUSES,
  PRIORITY_BY_RANK,
  type Dialect,
  type FailurePolicy,
  type JobErrorInfo,
  type JobRecord,
  type JobStatus,
  type JobTarget,
  type JobTemplate,
  type MissedFirePolicy,
  type Recurrence,
  type ScheduleRecord,
  type ScheduleStatus,
} from '../../core/types.js';
import type { NewSchedule } from '../store.js';

/** The final statuses as an SQL list, for `status IN (...)`. */
export const FINAL_SQL = FINAL_STATUSES.map((s) => `'${s}'`).join(', ');

/** json/jsonb columns arrive parsed; BIGINTs arrive as numbers (see database.ts). */
export interface JobRow {
  id: string;
  schedule_id: string | null;
  name: string | null;
  occurrence: number;
  run_at: number;
  status: JobStatus;
  target: JobTarget;
  queue: string;
  task_name: string | null;
  task_version: string | null;
  priority: number;
  payload: string;
  failure_policy: FailurePolicy | null;
  max_retries: number | null;
  timeout_ms: number | null;
  tags: string[];
  metadata: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  worker_id: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  result: string | null;
  error: JobErrorInfo | null;
  cancel_requested: boolean;
  dialect: Dialect;
  delivery: string | null;
  /** Migration 005. */
  traceparent: string | null;
}

export interface ScheduleRow {
  id: string;
  name: string;
  dialect: Dialect;
  target: JobTarget;
  status: ScheduleStatus;
  recurrence: Recurrence;
  start_at: number | null;
  expires_at: number | null;
  repeats: number | null;
  missed_fire: MissedFirePolicy;
  template: JobTemplate;
  fire_count: number;
  last_occurrence: number | null;
  last_run_at: number | null;
  next_run_at: number | null;
  source: Record<string, unknown>;
  created_at: number;
  updated_at: number;
}

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
  return {
    id: row.id,
    scheduleId: row.schedule_id,
    name: row.name,
    occurrence: row.occurrence,
    runAt: row.run_at,
    status: row.status,
    target: row.target,
    queue: row.queue,
    taskName: row.task_name,
    taskVersion: row.task_version,
    priority: PRIORITY_BY_RANK[row.priority] ?? 'normal',
    payload: row.payload,
    failurePolicy: row.failure_policy,
    timeoutMs: row.timeout_ms,
    tags: row.tags,
    metadata: row.metadata,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    workerId: row.worker_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    result: row.result,
    error: row.error,
    cancelRequested: row.cancel_requested,
    dialect: row.dialect,
    delivery: deserializeDelivery(row.delivery),
    traceparent: row.traceparent ?? null,
  };
}

export function scheduleFromRow(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    name: row.name,
    dialect: row.dialect,
    status: row.status,
    recurrence: row.recurrence,
    startAt: row.start_at,
    expiresAt: row.expires_at,
    repeats: row.repeats,
    missedFire: row.missed_fire,
    template: row.template,
    fireCount: row.fire_count,
    lastOccurrence: row.last_occurrence,
    lastRunAt: row.last_run_at,
    nextRunAt: row.next_run_at,
    source: row.source,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

export function insertScheduleSql(s: string): string {
  return `INSERT INTO ${s}.schedules (id, name, dialect, target, status, recurrence, start_at, expires_at, repeats,
      missed_fire, template, fire_count, last_occurrence, last_run_at, next_run_at, source, created_at, updated_at)
    VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 0, NULL, NULL, $12, $13, $14, $15)`;
}

export function scheduleInsertValues(schedule: NewSchedule): unknown[] {
  return [
    schedule.id,
    schedule.name,
    schedule.dialect,
    schedule.template.target,
    schedule.status,
    JSON.stringify(schedule.recurrence),
    schedule.startAt,
    schedule.expiresAt,
    schedule.repeats,
    schedule.missedFire,
    JSON.stringify(schedule.template),
    schedule.nextRunAt,
    JSON.stringify(schedule.source),
    schedule.createdAt,
    schedule.updatedAt,
  ];
}

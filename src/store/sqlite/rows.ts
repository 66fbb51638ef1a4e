/** Row shapes of the SQLite tables and their mapping to domain records. */
import { deserializeDelivery, serializeDelivery } from '../../core/delivery-spec.js';
import { maxRetriesOf } from '../../core/failure-policy.js';
import {
  PRIORITY_BY_RANK,
  PRIORITY_RANK,
  type Dialect,
  type JobRecord,
  type JobStatus,
  type JobTarget,
  type MissedFirePolicy,
  type ScheduleRecord,
  type ScheduleStatus,
} from '../../core/types.js';
import type { NewJob, NewSchedule, ScheduleCursor } from '../store.js';

export interface JobRow {
  seq: number;
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
  failure_policy: string | null;
  max_retries: number | null;
  timeout_ms: number | null;
  tags: string;
  metadata: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  worker_id: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  result: string | null;
  error: string | null;
  cancel_requested: number;
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
  recurrence: string;
  start_at: number | null;
  expires_at: number | null;
  repeats: number | null;
  missed_fire: MissedFirePolicy;
  template: string;
  fire_count: number;
  last_occurrence: number | null;
  last_run_at: number | null;
  next_run_at: number | null;
  source: string;
  created_at: number;
  updated_at: number;
}

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
    failurePolicy: row.failure_policy === null ? null : JSON.parse(row.failure_policy),
    timeoutMs: row.timeout_ms,
    tags: JSON.parse(row.tags),
    metadata: row.metadata,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    workerId: row.worker_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    result: row.result,
    error: row.error === null ? null : JSON.parse(row.error),
    cancelRequested: row.cancel_requested === 1,
    dialect: row.dialect,
    delivery: deserializeDelivery(row.delivery),
    traceparent: row.traceparent ?? null,
  };
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

const JOB_INSERT_COLUMNS = `INTO jobs (id, schedule_id, name, occurrence, run_at, status, target, queue,
  task_name, task_version, priority, payload, failure_policy, max_retries, timeout_ms, tags, metadata, created_at, dialect, delivery, traceparent)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;
export const INSERT_JOB_SQL = `INSERT ${JOB_INSERT_COLUMNS}`;
/** For materialising occurrences: the (schedule_id, occurrence) key makes a repeat a no-op. */
export const INSERT_JOB_IF_NEW_SQL = `INSERT OR IGNORE ${JOB_INSERT_COLUMNS}`;

export function scheduleFromRow(row: ScheduleRow): ScheduleRecord {
  return {
    id: row.id,
    name: row.name,
    dialect: row.dialect,
    status: row.status,
    recurrence: JSON.parse(row.recurrence),
    startAt: row.start_at,
    expiresAt: row.expires_at,
    repeats: row.repeats,
    missedFire: row.missed_fire,
    template: JSON.parse(row.template),
    fireCount: row.fire_count,
    lastOccurrence: row.last_occurrence,
    lastRunAt: row.last_run_at,
    nextRunAt: row.next_run_at,
    source: JSON.parse(row.source),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
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

export function scheduleInsertValues(s: NewSchedule): unknown[] {
  return [
    s.id,
    s.name,
    s.dialect,
    s.template.target,
    s.status,
    JSON.stringify(s.recurrence),
    s.startAt,
    s.expiresAt,
    s.repeats,
    s.missedFire,
    JSON.stringify(s.template),
    s.nextRunAt,
    JSON.stringify(s.source),
    s.createdAt,
    s.updatedAt,
  ];
}

export const INSERT_HISTORY_SQL = `INSERT INTO history (job_id, schedule_id, name, occurrence, fired_at, attempt, outcome,
  http_status, duration_ms, error, worker_id, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

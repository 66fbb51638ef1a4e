/**
 * The row shapes and row mappers both SQL stores share. The tables have the same columns in
 * SQLite and PostgreSQL; only the JSON columns differ (SQLite returns their text, `pg`
 * returns them parsed), so each store passes how to read one.
 */
import { deserializeDelivery } from '../core/delivery-spec.js';
import {
  PRIORITY_BY_RANK,
  type Dialect,
  type JobRecord,
  type JobStatus,
  type JobTarget,
  type MissedFirePolicy,
  type ScheduleRecord,
  type ScheduleStatus,
} from '../core/types.js';
import type { TaskInfo } from './platform-types.js';
import type { NewSchedule, ScheduleUpdate } from './store.js';

/** Reads a JSON column: `JSON.parse` for SQLite's text, the value itself for PostgreSQL's json. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the column's domain type is the caller's
export type JsonColumn<J> = (value: J) => any;

/** A jobs row; `J` is how a JSON column arrives. */
export interface JobRowOf<J> {
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
  failure_policy: J | null;
  max_retries: number | null;
  timeout_ms: number | null;
  tags: J;
  metadata: string;
  attempts: number;
  lease_owner: string | null;
  lease_until: number | null;
  worker_id: string | null;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  result: string | null;
  error: J | null;
  /** SQLite: 0 or 1. */
  cancel_requested: number | boolean;
  dialect: Dialect;
  delivery: string | null;
  /** Migration 005. */
  traceparent: string | null;
}

/** A schedules row; `J` is how a JSON column arrives. */
export interface ScheduleRowOf<J> {
  id: string;
  name: string;
  dialect: Dialect;
  target: JobTarget;
  status: ScheduleStatus;
  recurrence: J;
  start_at: number | null;
  expires_at: number | null;
  repeats: number | null;
  missed_fire: MissedFirePolicy;
  template: J;
  fire_count: number;
  last_occurrence: number | null;
  last_run_at: number | null;
  next_run_at: number | null;
  source: J;
  created_at: number;
  updated_at: number;
}

export function jobFromSqlRow<J>(row: JobRowOf<J>, json: JsonColumn<J>): JobRecord {
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
    failurePolicy: row.failure_policy === null ? null : json(row.failure_policy),
    timeoutMs: row.timeout_ms,
    tags: json(row.tags),
    metadata: row.metadata,
    attempts: row.attempts,
    leaseOwner: row.lease_owner,
    leaseUntil: row.lease_until,
    workerId: row.worker_id,
    createdAt: row.created_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    result: row.result,
    error: row.error === null ? null : json(row.error),
    cancelRequested: row.cancel_requested === true || row.cancel_requested === 1,
    dialect: row.dialect,
    delivery: deserializeDelivery(row.delivery),
    traceparent: row.traceparent ?? null,
  };
}

export function scheduleFromSqlRow<J>(row: ScheduleRowOf<J>, json: JsonColumn<J>): ScheduleRecord {
  return {
    id: row.id,
    name: row.name,
    dialect: row.dialect,
    status: row.status,
    recurrence: json(row.recurrence),
    startAt: row.start_at,
    expiresAt: row.expires_at,
    repeats: row.repeats,
    missedFire: row.missed_fire,
    template: json(row.template),
    fireCount: row.fire_count,
    lastOccurrence: row.last_occurrence,
    lastRunAt: row.last_run_at,
    nextRunAt: row.next_run_at,
    source: json(row.source),
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/**
 * A new schedule's values in the column order of both stores' INSERT (id, name, dialect,
 * target, status, recurrence, start_at, expires_at, repeats, missed_fire, template,
 * next_run_at, source, created_at, updated_at); JSON columns as text.
 */
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

/** An edited schedule's values for both stores' UPDATE (name, status, recurrence, start_at,
 * expires_at, repeats, missed_fire, template, next_run_at, source, updated_at). */
export function scheduleUpdateValues(next: ScheduleRecord): unknown[] {
  return [
    next.name,
    next.status,
    JSON.stringify(next.recurrence),
    next.startAt,
    next.expiresAt,
    next.repeats,
    next.missedFire,
    JSON.stringify(next.template),
    next.nextRunAt,
    JSON.stringify(next.source),
    next.updatedAt,
  ];
}

/** A tasks row. */
export interface TaskRow {
  name: string;
  version: string;
  description: string;
  queue: string;
  timeout_ms: number;
  max_retries: number;
  retry_delay_ms: number;
  /** SQLite: 0 or 1. */
  is_async: number | boolean;
  registered_at: number;
  last_seen_at: number;
}

export function taskFromRow(row: TaskRow): TaskInfo {
  return {
    name: row.name,
    version: row.version,
    description: row.description,
    queue: row.queue,
    timeoutMs: row.timeout_ms,
    maxRetries: row.max_retries,
    retryDelayMs: row.retry_delay_ms,
    isAsync: row.is_async === true || row.is_async === 1,
    registeredAt: row.registered_at,
    lastSeenAt: row.last_seen_at,
  };
}

/** A schedule after `update`: its patch, status and the occurrence now waiting. */
export function editedSchedule(current: ScheduleRecord, update: ScheduleUpdate): ScheduleRecord {
  return {
    ...current,
    ...update.patch,
    status: update.status ?? current.status,
    nextRunAt: update.nextOccurrence ? update.nextOccurrence.occurrence : null,
    updatedAt: update.updatedAt,
  };
}

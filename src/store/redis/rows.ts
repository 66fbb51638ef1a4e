/**
 * Hash fields ↔ domain records. Field names are the SQLite column names; an absent field is
 * null; numbers are decimal strings (written with String(), exact for every integer time).
 */
import { deserializeDelivery, serializeDelivery } from '../../core/delivery-spec.js';
import { maxRetriesOf } from '../../core/failure-policy.js';
import {
  PRIORITY_BY_RANK,
  PRIORITY_RANK,
  type HistoryEntry,
  type JobTarget,
  type JobRecord,
  type ScheduleRecord,
} from '../../core/types.js';
import type { DueSignal, JobOutcome, NewJob, NewSchedule } from '../store.js';

export type Hash = Record<string, string>;

/** A Lua HGETALL reply (field, value, ...) as an object. */
export function toHash(flat: readonly string[]): Hash {
  const hash: Hash = {};
  for (let i = 0; i < flat.length; i += 2) hash[flat[i]!] = flat[i + 1]!;
  return hash;
}

function num(value: string | undefined): number | null {
  return value === undefined ? null : Number(value);
}

function push(list: string[], field: string, value: string | number | null | undefined): void {
  if (value !== null && value !== undefined) list.push(field, String(value));
}

/** The field list insert_job (lua/prelude.lua) takes: pairs, nulls omitted. */
export function jobFields(job: NewJob): string[] {
  const f: string[] = [
    'id', job.id,
    'occurrence', String(job.occurrence),
    'run_at', String(job.runAt),
    'target', job.target,
    'queue', job.queue,
    'priority', String(PRIORITY_RANK[job.priority]),
    'payload', job.payload,
    'tags', JSON.stringify(job.tags),
    'metadata', job.metadata,
    'created_at', String(job.createdAt),
    'dialect', job.dialect,
  ];
  push(f, 'schedule_id', job.scheduleId);
  push(f, 'name', job.name);
  push(f, 'task_name', job.taskName);
  push(f, 'task_version', job.taskVersion);
  if (job.failurePolicy !== null) {
    f.push('failure_policy', JSON.stringify(job.failurePolicy));
    push(f, 'max_retries', maxRetriesOf(job.failurePolicy));
  }
  push(f, 'timeout_ms', job.timeoutMs);
  push(f, 'delivery', serializeDelivery(job.delivery));
  push(f, 'traceparent', job.traceparent);
  return f;
}

export function jobFromHash(h: Hash): JobRecord {
  return {
    id: h.id!,
    scheduleId: h.schedule_id ?? null,
    name: h.name ?? null,
    occurrence: Number(h.occurrence),
    runAt: Number(h.run_at),
    status: h.status as JobRecord['status'],
    target: h.target as JobRecord['target'],
    queue: h.queue!,
    taskName: h.task_name ?? null,
    taskVersion: h.task_version ?? null,
    priority: PRIORITY_BY_RANK[Number(h.priority)] ?? 'normal',
    payload: h.payload!,
    failurePolicy: h.failure_policy === undefined ? null : JSON.parse(h.failure_policy),
    timeoutMs: num(h.timeout_ms),
    tags: JSON.parse(h.tags ?? '[]'),
    metadata: h.metadata!,
    attempts: Number(h.attempts ?? 0),
    leaseOwner: h.lease_owner ?? null,
    leaseUntil: num(h.lease_until),
    workerId: h.worker_id ?? null,
    createdAt: Number(h.created_at),
    startedAt: num(h.started_at),
    completedAt: num(h.completed_at),
    result: h.result ?? null,
    error: h.error === undefined ? null : JSON.parse(h.error),
    cancelRequested: h.cancel_requested === '1',
    dialect: dialectOf(h.dialect),
    delivery: deserializeDelivery(h.delivery),
    traceparent: h.traceparent ?? null,
  };
}

type ScheduleFieldSource = Partial<Omit<NewSchedule, 'id' | 'createdAt'>>;

/**
 * Schedule fields for the given properties: `set` pairs and `unset` names (nulls). `target`
 * and `tags` shadow the template's, so scripts can check name uniqueness and filter by tag
 * without decoding it.
 */
export function scheduleFields(s: ScheduleFieldSource): { set: string[]; unset: string[] } {
  const set: string[] = [];
  const unset: string[] = [];
  const put = (field: string, value: string | number | null | undefined): void => {
    if (value === undefined) return;
    if (value === null) unset.push(field);
    else set.push(field, String(value));
  };
  put('name', s.name);
  put('dialect', s.dialect);
  put('status', s.status);
  if (s.recurrence !== undefined) put('recurrence', JSON.stringify(s.recurrence));
  put('start_at', s.startAt);
  put('expires_at', s.expiresAt);
  put('repeats', s.repeats);
  put('missed_fire', s.missedFire);
  if (s.template !== undefined) {
    put('template', JSON.stringify(s.template));
    put('target', s.template.target);
    put('tags', JSON.stringify(s.template.tags));
  }
  put('next_run_at', s.nextRunAt);
  if (s.source !== undefined) put('source', JSON.stringify(s.source));
  put('updated_at', s.updatedAt);
  return { set, unset };
}

export function newScheduleFields(s: NewSchedule): string[] {
  const { set } = scheduleFields(s);
  return ['id', s.id, 'created_at', String(s.createdAt), 'fire_count', '0', ...set];
}

export function scheduleFromHash(h: Hash): ScheduleRecord {
  return {
    id: h.id!,
    name: h.name!,
    dialect: dialectOf(h.dialect),
    status: h.status as ScheduleRecord['status'],
    recurrence: JSON.parse(h.recurrence!),
    startAt: num(h.start_at),
    expiresAt: num(h.expires_at),
    repeats: num(h.repeats),
    missedFire: h.missed_fire as ScheduleRecord['missedFire'],
    template: JSON.parse(h.template!),
    fireCount: Number(h.fire_count ?? 0),
    lastOccurrence: num(h.last_occurrence),
    lastRunAt: num(h.last_run_at),
    nextRunAt: num(h.next_run_at),
    source: JSON.parse(h.source ?? '{}'),
    createdAt: Number(h.created_at),
    updatedAt: Number(h.updated_at),
  };
}

/** The attempt half of a history entry; the script adds the job half (add_history). */
export function attemptJson(a: JobOutcome['attempt']): string {
  if (!a) return '';
  return JSON.stringify({ outcome: a.outcome, firedAt: a.firedAt, durationMs: a.durationMs, httpStatus: a.httpStatus, error: a.error, response: a.response ?? null });
}

interface StoredHistory {
  jobId: string;
  scheduleId: string | null;
  name: string | null;
  occurrence: string;
  attempt: string;
  workerId: string | null;
}

/** An attempt as stored in a history entry (entries written before responses were kept have no `response`). */
type StoredAttempt = NonNullable<JobOutcome['attempt']>;

export function historyFromEntry(id: string, entry: string): HistoryEntry {
  const [head, attempt] = JSON.parse(entry) as [StoredHistory, StoredAttempt];
  return {
    id: Number(id),
    jobId: head.jobId,
    scheduleId: head.scheduleId,
    name: head.name,
    occurrence: Number(head.occurrence),
    firedAt: attempt.firedAt,
    attempt: Number(head.attempt),
    outcome: attempt.outcome,
    httpStatus: attempt.httpStatus,
    durationMs: attempt.durationMs,
    error: attempt.error,
    workerId: head.workerId,
    response: attempt.response ?? null,
  };
}

/** Nullable strings in a fixed ARGV slot: '' is null, anything else is '=' + the value. */
export function optional(value: string | null | undefined): string {
  return value === null || value === undefined ? '' : `=${value}`;
}

/** A script's due signals, flat: target, queue, runAt, more ('1' or '0'), and again. */
export function signalsFromFlat(flat: readonly string[]): DueSignal[] {
  const signals: DueSignal[] = [];
  for (let i = 0; i + 3 < flat.length; i += 4) {
    const signal: DueSignal = { target: flat[i] as JobTarget, queue: flat[i + 1]!, runAt: Number(flat[i + 2]) };
    if (flat[i + 3] === '1') signal.more = true;
    signals.push(signal);
  }
  return signals;
}

/**
 * `envelope` was stored as `seed` before it was renamed: the SQL stores rewrote their rows
 * (migration 007); Redis hashes keep the old value until rewritten, so it is read as the new.
 */
export function dialectOf(stored: string | undefined): JobRecord['dialect'] {
  return (stored === 'seed' ? 'envelope' : stored) as JobRecord['dialect'];
}

/** A dialect filter that also matches hashes still holding the old name (see dialectOf). */
export function storedDialects(dialects: readonly string[] | undefined): readonly string[] | undefined {
  return dialects?.includes('envelope') ? [...dialects, 'seed'] : dialects;
}

/** JSON shapes of Dapr-style jobs as each dialect shows them. */
import { deliveryView } from '../../core/delivery-spec.js';
import { formatRfc3339, readsAsTime } from '../../core/time-spec.js';
import type { HistoryEntry, JobRecord, ScheduleRecord, ScheduleStatus } from '../../core/types.js';

const iso = (ms: number | null): string | null => (ms === null ? null : formatRfc3339(ms));

/** The status a Dapr job shows: seed 000 calls a live job "scheduled". */
export function daprJobStatus(status: ScheduleStatus): string {
  return status === 'active' ? 'scheduled' : status;
}

export function parsePayload(payload: string): unknown {
  return JSON.parse(payload) as unknown;
}

/**
 * Seed 000 lists `dueTime` as an ISO 8601 datetime and the seeds' cleanup code parses it with
 * `datetime.fromisoformat`: a timestamp comes back as given, a relative one ("10s", "PT1H")
 * as the instant it resolved to.
 */
function seedDueTime(given: unknown, startAt: number | null): unknown {
  if (given === undefined) return null;
  // A stored dueTime passed resolveTimeSpec: read as a time, it was a valid one. (Parsing it
  // again and catching the throw for a duration cost a stack trace per GET: 2.7% of a
  // profiled load of creates and gets.)
  if (typeof given === 'string' && !readsAsTime(given)) return startAt === null ? given : formatRfc3339(startAt);
  return given;
}

/** Seed 000's job view, plus status, next/last run and fire count. */
export function seedJobView(s: ScheduleRecord): Record<string, unknown> {
  const source = s.source;
  return {
    name: s.name,
    schedule: source.schedule ?? '',
    repeats: source.repeats ?? (s.recurrence.kind === 'once' ? 1 : 0),
    dueTime: seedDueTime(source.dueTime, s.startAt),
    ttl: source.ttl ?? null,
    data: parsePayload(s.template.payload),
    status: daprJobStatus(s.status),
    failurePolicy: source.failurePolicy ?? null,
    missedFirePolicy: s.missedFire,
    next_run_at: iso(s.nextRunAt),
    last_run_at: iso(s.lastRunAt),
    fire_count: s.fireCount,
    created_at: iso(s.createdAt),
    ...(source.events !== undefined ? { events: source.events } : {}),
    ...(source.topic !== undefined ? { topic: source.topic } : {}),
    ...deliveryView(s.template.delivery ?? null, s.template.timeoutMs),
  };
}

/** Real Dapr's GET shape: only the fields the job was given, `data` wrapped as a protobuf Value. */
export function daprJobView(s: ScheduleRecord): Record<string, unknown> {
  const source = s.source;
  const view: Record<string, unknown> = { name: s.name };
  if (source.schedule) view.schedule = source.schedule;
  if (typeof source.repeats === 'number' && source.repeats > 0) view.repeats = source.repeats;
  if (source.dueTime !== undefined) view.dueTime = source.dueTime;
  if (source.ttl !== undefined) view.ttl = source.ttl;
  view.data = { '@type': 'type.googleapis.com/google.protobuf.Value', value: parsePayload(s.template.payload) };
  if (source.failurePolicy !== undefined) view.failurePolicy = source.failurePolicy;
  // Chime extension fields only when the job has them: a plain Dapr job looks as Dapr shows it.
  Object.assign(view, deliveryView(s.template.delivery ?? null, s.template.timeoutMs));
  return view;
}

export function historyView(h: HistoryEntry): Record<string, unknown> {
  return {
    id: h.id,
    job_id: h.jobId,
    job_name: h.name,
    scheduled_time: iso(h.occurrence),
    actual_time: iso(h.firedAt),
    attempt: h.attempt,
    outcome: h.outcome,
    http_status: h.httpStatus,
    duration_ms: h.durationMs,
    error: h.error,
    worker_id: h.workerId,
    response: h.response,
  };
}

export function deadLetterView(j: JobRecord): Record<string, unknown> {
  return {
    id: j.id,
    job_name: j.name,
    status: j.status,
    scheduled_time: iso(j.occurrence),
    attempts: j.attempts,
    data: parsePayload(j.payload),
    error: j.error,
    failed_at: iso(j.completedAt),
  };
}

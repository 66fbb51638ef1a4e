/** Lifecycle events as the live feed sends them: snake_case, RFC 3339 times, the job's `data`. */
import { formatRfc3339 } from '../../core/time-spec.js';
import type { JobRef, LifecycleEvent, LifecycleEventType } from '../../core/lifecycle-events.js';

/** Payloads larger than this are left out of events (`data_omitted: true`); fetch the job instead. */
export const EVENT_DATA_LIMIT = 8192;

const iso = (ms: number | null): string | null => (ms === null ? null : formatRfc3339(ms));

/**
 * The job's `data`: a Dapr job's data as given; a task job's `{args, kwargs}`. Parsed once per
 * event however many feeds read it.
 */
const parsed = new WeakMap<JobRef, unknown>();
export function jobData(job: JobRef): unknown {
  if (!parsed.has(job)) parsed.set(job, job.payload.length > EVENT_DATA_LIMIT ? undefined : (JSON.parse(job.payload) as unknown));
  return parsed.get(job);
}

function jobView(job: JobRef): Record<string, unknown> {
  const data = jobData(job);
  return {
    id: job.jobId,
    name: job.name,
    task_name: job.taskName,
    target: job.target,
    queue: job.queue,
    schedule_id: job.scheduleId,
    scheduled_time: iso(job.occurrence),
    run_at: iso(job.runAt),
    attempt: job.attempt,
    ...(data === undefined ? { data_omitted: true } : { data }),
  };
}

export function eventView(event: LifecycleEvent, id: string): Record<string, unknown> {
  // The head fields are written out in each view, not spread: properties after a spread take
  // V8's slow path, and the live feed renders every event (docs/architecture.md, "Per-job code").
  const { type } = event;
  const at = iso(event.at);
  switch (event.type) {
    case 'job.created':
    case 'job.requeued':
      return { id, type, at, job: jobView(event.job) };
    case 'job.fired':
      return { id, type, at, job: jobView(event.job), late_ms: event.lateMs, node_id: event.nodeId };
    case 'lease.expired':
      return { id, type, at, job_id: event.jobId, previous_owner: event.previousOwner, status: event.status };
    case 'queue.changed':
      return { id, type, at, queue: event.queue, change: event.change, detail: event.detail };
    case 'schedule.changed':
      return { id, type, at, schedule_id: event.scheduleId, name: event.name, dialect: event.dialect, change: event.change };
    default:
      return {
        id,
        type,
        at,
        job: jobView(event.job),
        outcome: event.outcome,
        duration_ms: event.durationMs,
        http_status: event.httpStatus,
        error: event.error,
        retry_at: iso(event.retryAt),
        node_id: event.nodeId,
      };
  }
}

/** Every event type the feed can send (the `types` filter accepts these). */
export const EVENT_TYPES: readonly LifecycleEventType[] = [
  'job.created',
  'job.fired',
  'job.succeeded',
  'job.retried',
  'job.failed',
  'job.dead_lettered',
  'job.cancelled',
  'job.skipped',
  'job.requeued',
  'lease.expired',
  'queue.changed',
  'schedule.changed',
];

export interface EventFilter {
  types?: ReadonlySet<string>;
  /** Job name (Dapr job name, or task name) or schedule name prefix. */
  namePrefix?: string;
  queue?: string;
  /** Field equality on the job's data (a Dapr job's data object, a task job's kwargs). */
  data?: ReadonlyMap<string, string>;
}

/** Whether an event passes the filter. Job filters (name, queue, data) let only job events through. */
export function matches(event: LifecycleEvent, filter: EventFilter): boolean {
  if (filter.types && !filter.types.has(event.type)) return false;
  if (event.type === 'schedule.changed') {
    if (filter.queue !== undefined || filter.data) return false;
    return filter.namePrefix === undefined || event.name.startsWith(filter.namePrefix);
  }
  if (event.type === 'queue.changed') {
    if (filter.namePrefix !== undefined || filter.data) return false;
    return filter.queue === undefined || event.queue === filter.queue;
  }
  if (event.type === 'lease.expired') return filter.namePrefix === undefined && filter.queue === undefined && !filter.data;
  const job = event.job;
  if (filter.queue !== undefined && job.queue !== filter.queue) return false;
  if (filter.namePrefix !== undefined && !(job.name ?? job.taskName ?? '').startsWith(filter.namePrefix)) return false;
  if (filter.data) {
    const data = jobData(job) as Record<string, unknown> | undefined;
    const fields = job.target === 'task' ? (data?.kwargs as Record<string, unknown> | undefined) : data;
    if (fields === null || typeof fields !== 'object') return false;
    for (const [key, value] of filter.data) {
      const actual = fields[key];
      if (actual === undefined || actual === null || typeof actual === 'object' || String(actual) !== value) return false;
    }
  }
  return true;
}

/**
 * Maps a job lifecycle event to a CloudEvents 1.0 event in the JSON format
 * (https://github.com/cloudevents/spec/blob/v1.0.2/cloudevents/formats/json-format.md).
 *
 * The `id` is deterministic (job id, event, attempt), so a consumer that sees an event twice
 * (at-least-once delivery around a broker or Chime restart) can drop the second copy by id,
 * and JetStream drops it by itself (its `Nats-Msg-Id` dedup window).
 */
import { formatRfc3339 } from '../core/time-spec.js';
import type { JobRef, LifecycleEvent } from '../core/lifecycle-events.js';
import { PUBLISHED_EVENT_TYPES, type PublishedEventType } from '../core/job-event-choice.js';

export { PUBLISHED_EVENT_TYPES, type PublishedEventType } from '../core/job-event-choice.js';

/** CloudEvent `type` prefix: `dev.chime.job.fired`, `dev.chime.job.succeeded`, ... */
export const CLOUDEVENT_TYPE_PREFIX = 'dev.chime.job.';

export type JobLifecycleEvent = Extract<LifecycleEvent, { job: JobRef }>;

/** One CloudEvent ready to send: its id and type beside the JSON text. */
export interface OutgoingEvent {
  id: string;
  /** Short type name, e.g. `fired`. */
  kind: PublishedEventType;
  /** The CloudEvent `type`, e.g. `dev.chime.job.fired`. */
  type: string;
  /** The job name (the CloudEvent `subject`). */
  subject: string;
  /** The CloudEvent in JSON form. */
  json: string;
}

export function isJobEvent(event: LifecycleEvent): event is JobLifecycleEvent {
  return 'job' in event;
}

export function shortType(event: JobLifecycleEvent): PublishedEventType {
  return event.type.slice('job.'.length) as PublishedEventType;
}

/**
 * The CloudEvent for one job event. `data` carries the job's identity, its payload (as given
 * to Chime) and what the event adds (lateness, outcome, error, next retry). The payload is
 * stored as JSON text and spliced in, not parsed and re-serialised, to keep this cheap on the
 * firing path.
 */
export function toCloudEvent(event: JobLifecycleEvent, source: string): OutgoingEvent {
  const kind = shortType(event);
  const job = event.job;
  const subject = job.name ?? job.jobId;
  const id = `${job.jobId}.${kind}.${job.attempt}`;
  const type = CLOUDEVENT_TYPE_PREFIX + kind;
  // Built as text rather than an object for JSON.stringify, since it runs for every event; the
  // payload is spliced in as stored.
  const scheduled = formatRfc3339(job.occurrence);
  let data =
    `{"job_id":${text(job.jobId)},"job_name":${text(job.name)},"target":${text(job.target)},"queue":${text(job.queue)},` +
    `"task_name":${text(job.taskName)},"schedule_id":${text(job.scheduleId)},"scheduled_time":"${scheduled}",` +
    `"run_at":"${job.runAt === job.occurrence ? scheduled : formatRfc3339(job.runAt)}","attempt":${job.attempt}`;
  if (event.type === 'job.fired') {
    data += `,"late_ms":${event.lateMs},"node_id":${text(event.nodeId)}`;
  } else if (event.type !== 'job.created' && event.type !== 'job.requeued') {
    data +=
      `,"outcome":${text(event.outcome)},"duration_ms":${event.durationMs ?? 'null'},"http_status":${event.httpStatus ?? 'null'},` +
      `"error":${event.error === null ? 'null' : JSON.stringify(event.error)},` +
      `"retry_at":${event.retryAt === null ? 'null' : `"${formatRfc3339(event.retryAt)}"`},"node_id":${text(event.nodeId)}`;
  }
  data += `,"data":${job.payload || 'null'}}`;
  const json =
    `{"specversion":"1.0","id":${text(id)},"source":${text(source)},"type":"${type}",` +
    `"subject":${text(subject)},"time":"${formatRfc3339(event.at)}","datacontenttype":"application/json","data":${data}}`;
  return { id, kind, type, subject, json };
}

function text(value: string | null): string {
  return value === null ? 'null' : JSON.stringify(value);
}

/** Parses `--events-types` text: comma-separated short names, or `all`. */
export function parseEventTypes(text: string): PublishedEventType[] {
  const names = text.split(',').map((t) => t.trim().replace(/^job\./, '')).filter(Boolean);
  if (names.length === 1 && names[0] === 'all') return [...PUBLISHED_EVENT_TYPES];
  for (const name of names) {
    if (!(PUBLISHED_EVENT_TYPES as readonly string[]).includes(name)) {
      throw new Error(`"${name}" is not an event type (one of ${PUBLISHED_EVENT_TYPES.join(', ')}, or all)`);
    }
  }
  if (names.length === 0) throw new Error('give at least one event type');
  return names as PublishedEventType[];
}

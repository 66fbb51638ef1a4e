/**
 * Per-job event settings live in the job's metadata (JSON text), so every store keeps them
 * without a schema change: the Dapr API's `events` and `topic` fields (Chime extensions) write
 * them, /api/v1 jobs and schedules set them in `metadata` directly.
 */

/** The job events a sink can publish, by their short names (`fired` for `job.fired`). */
export const PUBLISHED_EVENT_TYPES = [
  'created',
  'fired',
  'succeeded',
  'retried',
  'failed',
  'dead_lettered',
  'cancelled',
  'skipped',
  'requeued',
] as const;
export type PublishedEventType = (typeof PUBLISHED_EVENT_TYPES)[number];

/** The job's own event types, e.g. `["fired","succeeded"]`; `[]` publishes none. */
export const JOB_EVENTS_KEY = 'chime_events';
/** Deliver the job's firings to this broker topic instead of the app callback. */
export const JOB_TOPIC_KEY = 'chime_topic';

/** The topic a job is delivered to, or null for the usual callback. Cheap when there is none. */
export function jobTopic(metadata: string | undefined): string | null {
  if (!metadata || !metadata.includes(JOB_TOPIC_KEY)) return null;
  const topic = (JSON.parse(metadata) as Record<string, unknown>)[JOB_TOPIC_KEY];
  return typeof topic === 'string' && topic !== '' ? topic : null;
}

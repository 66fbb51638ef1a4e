/**
 * The one internal stream of job lifecycle events (STYLE.md 17). Metrics, logs, traces, the
 * dashboard's live feed, failure hooks and broker events all read this stream instead of each
 * hooking the engine separately.
 *
 * Outcome events (`job.succeeded`, `job.retried`, `job.failed`, `job.dead_lettered`, ...) are
 * emitted after the store has written the outcome; `job.fired` when an attempt starts;
 * request-time events (`job.created`, `job.cancelled`, `queue.changed`, `schedule.changed`)
 * after the store call that made them returned. Delivery is synchronous and in order on this
 * node; a listener must be quick (buffer, then work off the event loop turn) and its errors are
 * reported, never thrown into the engine. Events describe this node's view: an outcome a lost
 * lease made the store ignore is still reported, so consumers count at-least-once.
 */
import type { DeliverySpec } from './delivery-spec.js';
import type { AttemptOutcome, Dialect, JobErrorInfo, JobRecord, JobStatus, JobTarget } from './types.js';

/** The job an event is about: what a consumer can label, filter or log it by. */
export interface JobRef {
  jobId: string;
  /** The Dapr job name for callback jobs, else null. */
  name: string | null;
  target: JobTarget;
  queue: string;
  taskName: string | null;
  scheduleId: string | null;
  dialect: Dialect;
  /** The occurrence (scheduled time) this job stands for, epoch ms. */
  occurrence: number;
  /** When the job may run (moves on retry), epoch ms. */
  runAt: number;
  /** Attempts started so far, this one included for `job.fired` and outcome events. */
  attempt: number;
  /** JSON text of the job's payload (Dapr `data`, or `{"args","kwargs"}` for tasks). */
  payload: string;
  /** JSON text of the job's metadata (a job's own event choice, `chime_events`, lives there). */
  metadata?: string;
  /** The job's own target and hooks (failure hooks read it). */
  delivery: DeliverySpec | null;
  /** The W3C trace context stored with the job (its create request's), or null. */
  traceparent: string | null;
}

/** Outcome events, from the attempt's recorded outcome. */
export type JobOutcomeEventType =
  | 'job.succeeded'
  | 'job.retried'
  /** A task job whose retries are spent (its outcome says failed or timeout). */
  | 'job.failed'
  /** A callback job whose retries are spent: it waits in the dead-letter list. */
  | 'job.dead_lettered'
  | 'job.cancelled'
  | 'job.skipped';

export type LifecycleEvent =
  | { type: 'job.created'; at: number; job: JobRef }
  | { type: 'job.fired'; at: number; job: JobRef; lateMs: number; nodeId: string }
  | {
      type: JobOutcomeEventType;
      at: number;
      job: JobRef;
      /** The attempt's history outcome; null for a cancel made through the API. */
      outcome: AttemptOutcome | null;
      durationMs: number | null;
      httpStatus: number | null;
      error: JobErrorInfo | null;
      /** For `job.retried`: when the next attempt may run. */
      retryAt: number | null;
      nodeId: string | null;
    }
  /** A dead-lettered or failed job sent again through the API, with a fresh retry budget. */
  | { type: 'job.requeued'; at: number; job: JobRef }
  /** A lease ran out (a node died mid-job): the job waits again, or failed when its retries are spent. */
  | { type: 'lease.expired'; at: number; jobId: string; previousOwner: string | null; status: 'pending' | 'failed' | 'cancelled' }
  | { type: 'queue.changed'; at: number; queue: string; change: 'paused' | 'resumed' | 'cleared' | 'concurrency'; detail: number | null }
  | {
      type: 'schedule.changed';
      at: number;
      scheduleId: string;
      name: string;
      dialect: Dialect;
      change: 'created' | 'replaced' | 'updated' | 'paused' | 'resumed' | 'deleted';
    };

export type LifecycleEventType = LifecycleEvent['type'];
export type LifecycleListener = (event: LifecycleEvent) => void;

export class LifecycleEvents {
  private readonly listeners = new Set<LifecycleListener>();

  constructor(private readonly onListenerError: (error: unknown) => void = () => {}) {}

  /**
   * Whether anyone listens: hot paths check it before building an event, so a server with no
   * consumer pays one property read per job.
   */
  get active(): boolean {
    return this.listeners.size > 0;
  }

  /** How many listeners there are (tests check what a configuration subscribes). */
  get listenerCount(): number {
    return this.listeners.size;
  }

  /** Adds a listener; returns the function that removes it. */
  subscribe(listener: LifecycleListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: LifecycleEvent): void {
    for (const listener of this.listeners) {
      try {
        listener(event);
      } catch (error) {
        this.onListenerError(error);
      }
    }
  }
}

/**
 * The job fields an event carries: a stored job (JobRecord), or one about to be (the store's
 * NewJob, which is a JobRecord without its run state; written out here so core needs no store type).
 */
export type JobRefSource = Pick<
  JobRecord,
  'id' | 'name' | 'target' | 'queue' | 'taskName' | 'scheduleId' | 'dialect' | 'occurrence' | 'runAt' | 'payload' | 'metadata'
> & { attempts?: number; delivery?: JobRecord['delivery']; traceparent?: string | null };

export function jobRefOf(job: JobRefSource, attempt = job.attempts ?? 0): JobRef {
  return {
    jobId: job.id,
    name: job.name,
    target: job.target,
    queue: job.queue,
    taskName: job.taskName,
    scheduleId: job.scheduleId,
    dialect: job.dialect,
    occurrence: job.occurrence,
    runAt: job.runAt,
    attempt,
    payload: job.payload,
    metadata: job.metadata,
    delivery: job.delivery ?? null,
    traceparent: job.traceparent ?? null,
  };
}

/** The event type of a written outcome of a job aimed at `target`. */
export function outcomeEventType(
  outcome: { status: JobStatus; attempt?: { outcome: AttemptOutcome } | null },
  target: JobTarget,
): JobOutcomeEventType {
  switch (outcome.status) {
    case 'completed':
      return 'job.succeeded';
    case 'retrying':
      return 'job.retried';
    case 'cancelled':
      return outcome.attempt?.outcome === 'skipped' ? 'job.skipped' : 'job.cancelled';
    default:
      return target === 'callback' ? 'job.dead_lettered' : 'job.failed';
  }
}

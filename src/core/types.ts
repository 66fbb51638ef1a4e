import type { DeliverySpec } from './delivery-spec.js';

/**
 * Domain types shared by every layer. No I/O here.
 *
 * Times are epoch milliseconds (numbers) everywhere inside Chime; the HTTP layer turns them
 * into RFC 3339 strings at the edge.
 */

/** The eight job statuses of the job platform (seed 003). */
export const JOB_STATUSES = [
  'pending',
  'reserved',
  'running',
  'completed',
  'failed',
  'retrying',
  'cancelled',
  'timeout',
] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

/** Statuses a job can leave only by being claimed, cancelled or cleared. */
export const WAITING_STATUSES: readonly JobStatus[] = ['pending', 'retrying'];
/** Statuses of a job that holds a lease. */
export const LEASED_STATUSES: readonly JobStatus[] = ['reserved', 'running'];
/** Statuses a job never leaves on its own. */
export const FINAL_STATUSES: readonly JobStatus[] = ['completed', 'failed', 'cancelled', 'timeout'];
/** Statuses of a callback job that is a dead letter: its retries ran out, or its last attempt timed out. */
export const DEAD_LETTER_STATUSES: readonly JobStatus[] = ['failed', 'timeout'];

export const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
export type Priority = (typeof PRIORITIES)[number];
/** Lower rank runs first; stored as a number so an index orders it. */
export const PRIORITY_RANK: Record<Priority, number> = { critical: 0, high: 1, normal: 2, low: 3 };
export const PRIORITY_BY_RANK: readonly Priority[] = PRIORITIES;

/** What an occurrence missed while no server ran turns into. */
export const MISSED_FIRE_POLICIES = ['fire_once', 'all', 'skip'] as const;
export type MissedFirePolicy = (typeof MISSED_FIRE_POLICIES)[number];

/**
 * What happens after a failed attempt.
 * `maxRetries: null` retries forever (Dapr's meaning of an unset `maxRetries`).
 */
export type FailurePolicy =
  | { kind: 'drop' }
  | { kind: 'constant'; intervalMs: number; maxRetries: number | null }
  | {
      kind: 'exponential';
      initialMs: number;
      maxIntervalMs: number;
      multiplier: number;
      /** 0..1: the share of each delay that is randomised. */
      jitter: number;
      maxRetries: number | null;
    };

/** How a callback job reaches the app. */
export type CallbackStyle = 'envelope' | 'dapr';

/** Which API created a schedule; decides the delivery style under `--callback-style auto`. */
export type Dialect = 'envelope' | 'dapr' | 'v1';

/** What a job does when it fires. */
export type JobTarget = 'callback' | 'task';

/** The internal queue that carries app callbacks; v1 queue names cannot start with `$`. */
export const CALLBACK_QUEUE = '$callbacks';

/** When a schedule produces occurrences. Exactly one of the shapes. */
export type Recurrence =
  | { kind: 'once' }
  /** Cron text as the user gave it, including any `CRON_TZ=` prefix or `@daily` descriptor. */
  | { kind: 'cron'; expression: string; timezone: string | null }
  | { kind: 'every'; everyMs: number };

export interface JobErrorInfo {
  message: string;
  type: string;
  traceback: string | null;
}

/** The part of a job that a schedule stamps onto every occurrence. */
export interface JobTemplate {
  target: JobTarget;
  queue: string;
  taskName: string | null;
  taskVersion: string | null;
  priority: Priority;
  /** JSON text: the Dapr `data` for callbacks, `{"args":[...],"kwargs":{...}}` for tasks. */
  payload: string;
  /** null: the server-wide default policy. */
  failurePolicy: FailurePolicy | null;
  /** null: the server-wide default (JOB_TIMEOUT for callbacks). */
  timeoutMs: number | null;
  tags: string[];
  /** JSON text of an object. */
  metadata: string;
  /** Its own target and hooks (Chime extension); null: the server's app URL and hooks. */
  delivery: DeliverySpec | null;
  /**
   * The W3C trace context of the request that created it (docs/operations.md, "Traces"):
   * its firings join that trace, and callbacks carry it on. Absent or null: none.
   */
  traceparent?: string | null;
}

export const SCHEDULE_STATUSES = ['active', 'paused', 'completed', 'expired', 'failed'] as const;
export type ScheduleStatus = (typeof SCHEDULE_STATUSES)[number];

/** A recurring (or one-shot, for Dapr) definition that materialises jobs. */
export interface ScheduleRecord {
  id: string;
  /** Dapr job name (unique among callback schedules) or the v1 schedule's display name. */
  name: string;
  dialect: Dialect;
  status: ScheduleStatus;
  recurrence: Recurrence;
  /** First occurrence (Dapr `dueTime`), absolute. */
  startAt: number | null;
  /** No occurrence at or after this instant (Dapr `ttl`). */
  expiresAt: number | null;
  /** Total firings allowed; null = forever. */
  repeats: number | null;
  missedFire: MissedFirePolicy;
  template: JobTemplate;
  fireCount: number;
  /** Greatest occurrence fired so far; makes advancing idempotent. */
  lastOccurrence: number | null;
  lastRunAt: number | null;
  nextRunAt: number | null;
  /** The fields as the client sent them (dueTime, ttl, schedule...), echoed on GET. */
  source: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
}

/** One unit of work: a task run or a callback delivery for one occurrence; its schedule's template plus its state. */
export interface JobRecord extends JobTemplate {
  id: string;
  scheduleId: string | null;
  /** The Dapr job name for callback jobs, else null. */
  name: string | null;
  /** The occurrence this job stands for (seed 003 `scheduled_at`, Dapr `scheduled_time`). */
  occurrence: number;
  /** When the job may next be claimed (moves forward on retry). */
  runAt: number;
  status: JobStatus;
  /** Attempts started so far (retry_count = attempts - 1 once started). */
  attempts: number;
  leaseOwner: string | null;
  leaseUntil: number | null;
  workerId: string | null;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  /** JSON text of the handler's result. */
  result: string | null;
  error: JobErrorInfo | null;
  /** Set when a cancel arrives while the job runs; the runner aborts it. */
  cancelRequested: boolean;
  dialect: Dialect;
}

/** What the timer/dispatcher needs for one claimed job. */
export interface ClaimedJob extends JobRecord {
  /** false when the missed-fire policy says this occurrence is skipped, not delivered. */
  deliver: boolean;
}

/** The outcome of one attempt, as the history records it. */
export type AttemptOutcome =
  | 'succeeded'
  | 'failed'
  | 'retrying'
  | 'dead_lettered'
  | 'timeout'
  | 'cancelled'
  | 'skipped'
  | 'lease_expired';

export interface HistoryEntry {
  id: number;
  jobId: string;
  scheduleId: string | null;
  name: string | null;
  occurrence: number;
  firedAt: number;
  attempt: number;
  outcome: AttemptOutcome;
  httpStatus: number | null;
  durationMs: number;
  error: string | null;
  workerId: string | null;
  /** The first bytes of the app's answer (callbacks), or null. */
  response: string | null;
}

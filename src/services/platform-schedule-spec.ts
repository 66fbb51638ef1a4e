/**
 * A platform schedule in domain terms (ScheduleSpec, ScheduleUpdate) and the `source` it
 * keeps in its row. The `/api/v1` edge (http/v1/schedule-wire.ts) maps seed 003's snake_case
 * DTOs, in seconds, to these; the rules are in platform-schedules.ts.
 */
import type { MissedFirePolicy } from '../core/types.js';
import type { TaskWorkSpec } from './platform-job-spec.js';

/** An interval as its parts (they add up); core's intervalToMs checks and sums them. */
export interface IntervalSpec {
  seconds?: number;
  minutes?: number;
  hours?: number;
  days?: number;
}

/** When a schedule fires: exactly one of `cron` and `interval`. */
export interface RecurrenceSpec {
  /** A cron expression (5 or 6 fields, descriptors, `CRON_TZ=`). */
  cron?: string | null;
  interval?: IntervalSpec | null;
  /** IANA zone the cron expression is read in; absent or null: UTC. */
  timezone?: string | null;
}

/**
 * One schedule to create: a task job per occurrence. Absent optional fields take the task's
 * settings. Error messages name the request fields of `/api/v1`, the API these specs come
 * from (`cron_expression`, `interval`).
 */
export interface ScheduleSpec extends RecurrenceSpec, TaskWorkSpec {
  /** Unique among platform schedules. */
  name: string;
  /** Absent: the server's `--missed-fire-policy`. */
  missedFirePolicy?: MissedFirePolicy;
}

/**
 * A change to a schedule: the fields given replace the current ones (undefined: keep it). A
 * `cron` replaces an interval and the other way round; a null `timezone` returns to UTC.
 */
export type ScheduleUpdate = Partial<ScheduleSpec> & { status?: 'active' | 'paused' };

/**
 * What a platform schedule keeps as its `source`: the settings its template does not hold as
 * given (the recurrence's notation, and which retry and timeout fields were given, so an
 * update that names none keeps them). In seed 003's names and seconds, the shape every stored
 * row has had since the first release; http/v1/views.ts reads the recurrence back from it.
 * (A type, not an interface: the store's `source` is a plain record.)
 */
export type StoredScheduleSource = {
  cron_expression: string | null;
  interval: IntervalSpec | null;
  timezone?: string | null;
  max_retries?: number;
  retry_delay?: number;
  timeout?: number;
  version?: string;
  missed_fire_policy?: MissedFirePolicy;
  target?: unknown;
  on_failure?: string;
  on_success?: string;
};

/** The `source` a schedule built from `spec` keeps (fields not given are left out). */
export function storedSourceOf(spec: ScheduleSpec): StoredScheduleSource {
  const source: StoredScheduleSource = { cron_expression: spec.cron ?? null, interval: spec.interval ?? null };
  if (spec.timezone !== undefined) source.timezone = spec.timezone;
  if (spec.maxRetries !== undefined) source.max_retries = spec.maxRetries;
  if (spec.retryDelayMs !== undefined) source.retry_delay = spec.retryDelayMs / 1000;
  if (spec.timeoutMs !== undefined) source.timeout = spec.timeoutMs / 1000;
  if (spec.taskVersion !== undefined) source.version = spec.taskVersion;
  if (spec.missedFirePolicy !== undefined) source.missed_fire_policy = spec.missedFirePolicy;
  if (spec.target !== undefined) source.target = spec.target;
  if (spec.onFailure !== undefined) source.on_failure = spec.onFailure;
  if (spec.onSuccess !== undefined) source.on_success = spec.onSuccess;
  return source;
}

/** The spec fields a stored `source` holds. */
export function specOfStoredSource(stored: unknown): Partial<ScheduleSpec> {
  const source = (stored ?? {}) as Partial<StoredScheduleSource>;
  const ms = (seconds: number | undefined) => (seconds === undefined ? undefined : Math.round(seconds * 1000));
  return {
    cron: source.cron_expression,
    interval: source.interval,
    timezone: source.timezone,
    maxRetries: source.max_retries,
    retryDelayMs: ms(source.retry_delay),
    timeoutMs: ms(source.timeout),
    taskVersion: source.version,
    target: source.target,
    onFailure: source.on_failure,
    onSuccess: source.on_success,
  };
}

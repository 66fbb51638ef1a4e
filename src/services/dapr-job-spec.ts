/**
 * Turns a Dapr-style job (seed 000 `/v1.0/jobs`, real Dapr `/v1.0-alpha1/jobs`, Dapr's gRPC
 * ScheduleJob) into a schedule and its first occurrence. The edges map their wire shapes to a
 * DaprJobSpec (http/dapr/job-wire.ts folds snake_case names, grpc/dapr-job-wire.ts reads the
 * protobuf Job); every rule is here, and every problem is a 400 that names the field, raised
 * before anything is written.
 */
import { parseDelivery } from '../core/delivery-spec.js';
import { parseGoDuration } from '../core/duration.js';
import { nameProblem } from '../core/input-limits.js';
import { ChimeError, invalidField, parseField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { firstOccurrence, parseDaprSchedule } from '../core/recurrence.js';
import { resolveTimeSpec } from '../core/time-spec.js';
import {
  CALLBACK_QUEUE,
  MISSED_FIRE_POLICIES,
  type Dialect,
  type FailurePolicy,
  type MissedFirePolicy,
  type Recurrence,
} from '../core/types.js';
import { occurrenceJob } from '../store/occurrence-job.js';
import { JOB_EVENTS_KEY, JOB_TOPIC_KEY, PUBLISHED_EVENT_TYPES } from '../core/job-event-choice.js';
import type { NewJob, NewSchedule } from '../store/store.js';

/**
 * One Dapr job as the service takes it: Dapr's own notation for times (`schedule`, `dueTime`,
 * `ttl` as text) and its failure policy object, which buildDaprJob parses and keeps as given
 * (a job is read back with the fields it was created with). `data` is the job's data as stored.
 */
export interface DaprJobSpec {
  schedule?: string;
  repeats?: number;
  dueTime?: string;
  ttl?: string;
  data?: unknown;
  failurePolicy?: Record<string, unknown>;
  missedFirePolicy?: string;
  /** Chime extension: this job's own choice of published event types. */
  events?: string[];
  /** Chime extension: deliver firings to this broker topic instead of the app. */
  topic?: string;
  /** Chime extensions (delivery-spec.ts). */
  target?: unknown;
  onFailure?: unknown;
  onSuccess?: unknown;
}

export function validateJobName(name: string): string {
  // Empty has a code of its own (the Dapr runtime words it apart); the other rules are shared.
  if (name.trim().length === 0) throw new ChimeError('JOB_NAME_EMPTY', 'name: must not be empty', { field: 'name' });
  const problem = nameProblem(name);
  if (problem !== null) throw invalidField('name', problem);
  return name;
}

export function parseFailurePolicy(raw: Record<string, unknown>): FailurePolicy {
  const kinds = Object.keys(raw);
  if (kinds.length !== 1) throw invalidField('failurePolicy', 'must have exactly one of drop, constant or exponential');
  const kind = kinds[0]!;
  const body = raw[kind];
  if (body === null || typeof body !== 'object' || Array.isArray(body)) throw invalidField(`failurePolicy.${kind}`, 'must be an object');
  const spec = body as Record<string, unknown>;
  const maxRetries = (field: string): number | null => {
    const value = spec.maxRetries;
    if (value === undefined || value === null) return null;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0) throw invalidField(`${field}.maxRetries`, 'must be an integer of 0 or more');
    return value;
  };
  const duration = (field: string, fallback: number): number => {
    const value = spec[field];
    if (value === undefined) return fallback;
    if (typeof value !== 'string') throw invalidField(`failurePolicy.${kind}.${field}`, 'must be a duration string such as "5s"');
    const ms = parseField(`failurePolicy.${kind}.${field}`, () => parseGoDuration(value));
    if (ms < 0) throw invalidField(`failurePolicy.${kind}.${field}`, 'must not be negative');
    return ms;
  };
  const allowOnly = (allowed: string[]): void => {
    for (const key of Object.keys(spec)) {
      if (!allowed.includes(key)) throw invalidField(`failurePolicy.${kind}.${key}`, `unknown field; expected ${allowed.join(', ') || 'none'}`);
    }
  };
  switch (kind) {
    case 'drop':
      allowOnly([]);
      return { kind: 'drop' };
    case 'constant':
      allowOnly(['interval', 'maxRetries']);
      // Dapr: an unset interval retries immediately; an unset maxRetries retries forever.
      return { kind: 'constant', intervalMs: duration('interval', 0), maxRetries: maxRetries('failurePolicy.constant') };
    case 'exponential': {
      allowOnly(['initialInterval', 'maxInterval', 'multiplier', 'jitter', 'maxRetries']);
      const multiplier = spec.multiplier ?? 2;
      const jitter = spec.jitter ?? 0.2;
      if (typeof multiplier !== 'number' || multiplier < 1) throw invalidField('failurePolicy.exponential.multiplier', 'must be a number of 1 or more');
      if (typeof jitter !== 'number' || jitter < 0 || jitter > 1) throw invalidField('failurePolicy.exponential.jitter', 'must be a number from 0 to 1');
      const initialMs = duration('initialInterval', 1000);
      return {
        kind: 'exponential',
        initialMs,
        maxIntervalMs: Math.max(initialMs, duration('maxInterval', 60_000)),
        multiplier,
        jitter,
        maxRetries: maxRetries('failurePolicy.exponential'),
      };
    }
    default:
      throw invalidField(`failurePolicy.${kind}`, 'unknown policy; use drop, constant or exponential');
  }
}

export interface BuiltDaprJob {
  schedule: NewSchedule;
  first: NewJob;
}

/**
 * Builds the schedule and its first occurrence.
 * @param dialect `seed` for /v1.0, `dapr` for /v1.0-alpha1 and gRPC (decides the `auto` callback style).
 */
export function buildDaprJob(
  name: string,
  request: DaprJobSpec,
  dialect: Dialect,
  now: number,
  defaults: { failurePolicy: FailurePolicy; missedFire: MissedFirePolicy },
): BuiltDaprJob {
  validateJobName(name);
  const scheduleText = request.schedule?.trim() ?? '';
  const recurrence: Recurrence =
    scheduleText === '' ? { kind: 'once' } : parseField('schedule', () => parseDaprSchedule(scheduleText));
  if (recurrence.kind === 'once' && request.dueTime === undefined) {
    throw new ChimeError('SCHEDULE_EMPTY', 'schedule: a job needs a schedule, a dueTime, or both', { field: 'schedule' });
  }
  const startAt = request.dueTime === undefined ? null : parseField('dueTime', () => resolveTimeSpec(request.dueTime!, now));
  // The Dapr runtime counts a ttl duration from the dueTime (go-etcd-cron's builder); seed 000
  // says nothing, and Chime's /v1.0 has always counted it from now.
  const ttlBase = dialect === 'dapr' && startAt !== null ? startAt : now;
  const expiresAt = request.ttl === undefined ? null : parseField('ttl', () => resolveTimeSpec(request.ttl!, ttlBase));
  if (expiresAt !== null && startAt !== null && expiresAt <= startAt) throw invalidField('ttl', 'must be after dueTime');
  if (expiresAt !== null && expiresAt <= now) throw invalidField('ttl', 'has already passed');
  const repeats = request.repeats ?? 0;
  if (recurrence.kind === 'once' && repeats > 1) throw invalidField('repeats', 'more than 1 needs a schedule to repeat on');
  const first = firstOccurrence(recurrence, startAt, now);
  if (first === null) throw invalidField('schedule', 'never fires (no date matches it)');
  if (expiresAt !== null && first >= expiresAt) throw invalidField('ttl', 'ends before the first occurrence');
  const missedFire = request.missedFirePolicy ?? defaults.missedFire;
  if (!(MISSED_FIRE_POLICIES as readonly string[]).includes(missedFire)) {
    throw invalidField('missedFirePolicy', `must be one of ${MISSED_FIRE_POLICIES.join(', ')}`);
  }
  const failurePolicy = request.failurePolicy === undefined ? defaults.failurePolicy : parseFailurePolicy(request.failurePolicy);
  const { delivery, timeoutMs } = parseDelivery(request.target, request.onFailure, request.onSuccess);
  const source: Record<string, unknown> = { schedule: request.schedule ?? '', repeats: request.repeats ?? null };
  if (request.dueTime !== undefined) source.dueTime = request.dueTime;
  if (request.ttl !== undefined) source.ttl = request.ttl;
  if (request.failurePolicy !== undefined) source.failurePolicy = request.failurePolicy;
  const metadata = jobEventMetadata(request);
  if (request.events !== undefined) source.events = request.events;
  if (request.topic !== undefined) source.topic = request.topic;
  const schedule: NewSchedule = {
    id: newId(now),
    name,
    dialect,
    status: 'active',
    recurrence,
    startAt,
    expiresAt,
    repeats: repeats === 0 ? (recurrence.kind === 'once' ? 1 : null) : repeats,
    missedFire: missedFire as MissedFirePolicy,
    template: {
      target: 'callback',
      queue: CALLBACK_QUEUE,
      taskName: null,
      taskVersion: null,
      priority: 'normal',
      payload: JSON.stringify(request.data ?? null),
      failurePolicy,
      timeoutMs,
      tags: [],
      metadata,
      delivery,
    },
    nextRunAt: first,
    source,
    createdAt: now,
    updatedAt: now,
  };
  return { schedule, first: occurrenceJob(schedule, first, now) };
}

/** The job's metadata: its event choice and topic (Chime extensions), `{}` without them. */
function jobEventMetadata(request: DaprJobSpec): string {
  const metadata: Record<string, unknown> = {};
  if (request.events !== undefined) {
    for (const [i, kind] of request.events.entries()) {
      const short = kind.replace(/^job\./, '');
      if (!(PUBLISHED_EVENT_TYPES as readonly string[]).includes(short)) {
        throw invalidField(`events[${i}]`, `"${kind}" is not an event type (one of ${PUBLISHED_EVENT_TYPES.join(', ')})`);
      }
    }
    metadata[JOB_EVENTS_KEY] = request.events.map((k) => k.replace(/^job\./, ''));
  }
  if (request.topic !== undefined) {
    if (request.target !== undefined) throw invalidField('topic', 'a job goes to a topic or to a target, not both');
    if (!/^[A-Za-z0-9._\-/:]+$/.test(request.topic)) throw invalidField('topic', 'use letters, digits and . _ - / : only');
    metadata[JOB_TOPIC_KEY] = request.topic;
  }
  return JSON.stringify(metadata);
}

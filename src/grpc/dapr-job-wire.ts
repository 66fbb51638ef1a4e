/**
 * Dapr's protobuf `Job` ↔ the DaprJobSpec DaprJobs takes and the schedule it keeps. Only
 * shapes change here; every rule lives in buildDaprJob, as for the HTTP dialects.
 */
import { formatGoDuration, parseGoDurationNanos } from '../core/duration.js';
import { ChimeError, invalidField } from '../core/errors.js';
import { INPUT_LIMITS } from '../core/input-limits.js';
import { checkBody } from '../core/json-limits.js';
import type { ScheduleRecord } from '../core/types.js';
import { unwrapProtobufValue } from '../core/job-data.js';
import type { DaprJobSpec } from '../services/dapr-job-spec.js';
import { anyFromJobData, jobDataFromAny, type WireAny } from './any-data.js';

export interface WireDuration {
  seconds?: number;
  nanos?: number;
}

export interface WireFailurePolicy {
  policy?: 'drop' | 'constant';
  drop?: Record<string, never>;
  constant?: { interval?: WireDuration; max_retries?: number };
}

/** dapr.proto.runtime.v1.Job as @grpc/proto-loader hands it over (unset optionals absent). */
export interface WireJob {
  name?: string;
  schedule?: string;
  repeats?: number;
  due_time?: string;
  ttl?: string;
  data?: WireAny | null;
  failure_policy?: WireFailurePolicy | null;
}

function durationMs(d: WireDuration): number {
  return (d.seconds ?? 0) * 1000 + (d.nanos ?? 0) / 1e6;
}

function wireDuration(text: string): WireDuration {
  const ns = parseGoDurationNanos(text);
  return { seconds: Number(ns / 1_000_000_000n), nanos: Number(ns % 1_000_000_000n) };
}

/** The JSON failure policy the HTTP API takes ({"constant":{"interval":"5s","maxRetries":3}}). */
function failurePolicyFromWire(policy: WireFailurePolicy | null | undefined): Record<string, unknown> | undefined {
  if (!policy) return undefined;
  if (policy.drop !== undefined && policy.drop !== null) return { drop: {} };
  if (policy.constant !== undefined && policy.constant !== null) {
    const constant: Record<string, unknown> = {};
    if (policy.constant.interval) constant.interval = formatGoDuration(durationMs(policy.constant.interval));
    if (policy.constant.max_retries !== undefined) constant.maxRetries = policy.constant.max_retries;
    return { constant };
  }
  return undefined;
}

function failurePolicyToWire(policy: unknown): WireFailurePolicy | undefined {
  if (policy === null || typeof policy !== 'object') return undefined;
  const record = policy as Record<string, Record<string, unknown> | undefined>;
  if (record.drop) return { drop: {} };
  const constant = record.constant ?? record.Constant;
  if (!constant) return undefined; // Chime's exponential policy has no protobuf form.
  const out: WireFailurePolicy['constant'] = {};
  const interval = constant.interval;
  if (typeof interval === 'string') out.interval = wireDuration(interval);
  const maxRetries = constant.maxRetries ?? constant.max_retries;
  if (typeof maxRetries === 'number') out.max_retries = maxRetries;
  return { constant: out };
}

/**
 * The job's data as JSON. A `google.protobuf.Value` nested hundreds of levels deep stops the
 * (recursive) protobuf decoder before any limit could be checked (protobufjs's own nesting
 * limit, or the stack): that is the same 400 the depth limit gives, not an internal error.
 */
function decodedData(any: WireAny | null | undefined): unknown {
  try {
    return jobDataFromAny(any);
  } catch (error) {
    if (error instanceof RangeError || /maximum nesting depth/.test((error as Error).message)) throw invalidField('data', `nested more than ${INPUT_LIMITS.jsonDepth} levels deep (the limit)`);
    throw error;
  }
}

/**
 * The job name and the request to schedule, as the Dapr runtime reads a ScheduleJobRequest:
 * no job, an empty name, and neither schedule nor due_time are refused first, with Dapr's
 * own errors (pkg/api/universal/jobs.go).
 */
export function scheduleRequestFromWire(job: WireJob | null | undefined): { name: string; request: DaprJobSpec } {
  if (!job) throw new ChimeError('JOB_EMPTY', 'job: the request has no job');
  const name = job.name ?? '';
  if (name === '') throw new ChimeError('JOB_NAME_EMPTY', 'name: must not be empty', { field: 'name' });
  if (job.schedule === undefined && job.due_time === undefined) {
    throw new ChimeError('SCHEDULE_EMPTY', 'schedule: a job needs a schedule, a due_time, or both', { field: 'schedule' });
  }
  const request: DaprJobSpec = {};
  if (job.schedule !== undefined) request.schedule = job.schedule;
  if (job.repeats !== undefined) request.repeats = job.repeats;
  if (job.due_time !== undefined) request.dueTime = job.due_time;
  if (job.ttl !== undefined) request.ttl = job.ttl;
  const data = decodedData(job.data);
  if (data !== undefined) {
    checkBody({ data }); // the limits the HTTP body check applies: depth, well-formed text, no U+0000
    request.data = unwrapProtobufValue(data);
  }
  const failurePolicy = failurePolicyFromWire(job.failure_policy);
  if (failurePolicy !== undefined) request.failurePolicy = failurePolicy;
  return { name, request };
}

/** A job as GetJob and ListJobs answer it: the fields it was given, as given. */
export function jobToWire(s: ScheduleRecord): WireJob {
  const source = s.source;
  const job: WireJob = { name: s.name };
  if (typeof source.schedule === 'string' && source.schedule !== '') job.schedule = source.schedule;
  if (typeof source.repeats === 'number' && source.repeats > 0) job.repeats = source.repeats;
  if (typeof source.dueTime === 'string') job.due_time = source.dueTime;
  if (typeof source.ttl === 'string') job.ttl = source.ttl;
  job.data = anyFromJobData(JSON.parse(s.template.payload) as unknown);
  const failurePolicy = failurePolicyToWire(source.failurePolicy);
  if (failurePolicy) job.failure_policy = failurePolicy;
  return job;
}

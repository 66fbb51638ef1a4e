/**
 * A platform task job in domain terms (TaskJobSpec) and the job row it becomes. The `/api/v1`
 * edge (http/v1/job-wire.ts) maps seed 003's snake_case DTOs, in seconds, to this spec and
 * fills the document's own defaults; the defaults that depend on the task (queue, retries,
 * timeout) and every check are here.
 */
import { ChimeError, parseField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { parseRfc3339 } from '../core/time-spec.js';
import { parseDelivery } from '../core/delivery-spec.js';
import { CALLBACK_QUEUE, type FailurePolicy, type JobTemplate, type Priority } from '../core/types.js';
import type { NewJob, TaskInfo } from '../store/store.js';

/**
 * One job to create. Absent optional fields take the task's settings. Error messages name
 * the request fields of `/api/v1`, the API these specs come from (`scheduled_at`, `target`).
 */
/** The work a platform job, or each occurrence of a platform schedule, does. */
export interface TaskWorkSpec {
  /** The registered task to run; with a `target`, only the job's label. */
  taskName: string;
  /** The task version; absent: the latest registered. */
  taskVersion?: string;
  args: unknown[];
  kwargs: Record<string, unknown>;
  /** Absent: the task's queue. */
  queue?: string;
  priority: Priority;
  /** Retries after the first attempt; absent: the task's (or, with a target, the server's policy). */
  maxRetries?: number;
  /** Pause between attempts; absent: the task's. */
  retryDelayMs?: number;
  /** How long an attempt may run; absent: the target's, else the task's. */
  timeoutMs?: number;
  tags: string[];
  metadata: Record<string, unknown>;
  /** Chime extensions (delivery-spec.ts): an HTTP target instead of a task, and hook URLs. */
  target?: unknown;
  onFailure?: string;
  onSuccess?: string;
}

export interface TaskJobSpec extends TaskWorkSpec {
  /**
   * When it runs, as RFC 3339 text; absent: now. Parsed here, not at the edge, so that its
   * error comes in the same order among the other checks as it always has.
   */
  runAt?: string;
  /** A caller-chosen id; absent: a new one. A taken id is JOB_EXISTS. */
  id?: string;
}

/**
 * One spec of a batch was refused. Carries its position so the edge can name it in its own
 * words (`/api/v1` prefixes `jobs[i]:`); nothing of the batch was written.
 */
export class JobSpecRefused extends Error {
  constructor(
    readonly index: number,
    readonly error: ChimeError,
  ) {
    super(error.message, { cause: error });
    this.name = 'JobSpecRefused';
  }
}

/**
 * What a job with a `target` runs instead of a registered task: an HTTP request, delivered
 * by the callback lane; `taskName` is then its label. Its retries are the spec's, else
 * the server's default policy; its timeout the target's, else `timeoutMs`, else JOB_TIMEOUT.
 */
export const HTTP_TARGET_TASK: TaskInfo = {
  name: '',
  version: '',
  description: 'HTTP target',
  queue: CALLBACK_QUEUE,
  timeoutMs: 0,
  maxRetries: 0,
  retryDelayMs: 1000,
  isAsync: true,
  registeredAt: 0,
  lastSeenAt: 0,
};

/** Retries of a job: the spec's, else its task's. */
export function taskFailurePolicy(spec: Pick<TaskJobSpec, 'maxRetries' | 'retryDelayMs'>, task: TaskInfo): FailurePolicy {
  return {
    kind: 'constant',
    intervalMs: spec.retryDelayMs ?? task.retryDelayMs,
    maxRetries: spec.maxRetries ?? task.maxRetries,
  };
}

/**
 * What a job (or each occurrence of a schedule) runs, as the store keeps it: the task's queue
 * and settings unless the spec names its own, or, with an HTTP target, the callback lane.
 */
export function taskWork(spec: TaskWorkSpec, task: TaskInfo, parsed: ReturnType<typeof parseDelivery>): JobTemplate {
  const http = parsed.delivery?.target != null;
  return {
    target: http ? 'callback' : 'task',
    queue: http ? CALLBACK_QUEUE : (spec.queue ?? task.queue),
    taskName: http ? spec.taskName : task.name,
    taskVersion: spec.taskVersion ?? null,
    priority: spec.priority,
    payload: JSON.stringify({ args: spec.args, kwargs: spec.kwargs }),
    failurePolicy: http && spec.maxRetries === undefined ? null : taskFailurePolicy(spec, task),
    timeoutMs: parsed.timeoutMs ?? spec.timeoutMs ?? (http ? null : task.timeoutMs),
    tags: spec.tags,
    metadata: JSON.stringify(spec.metadata),
    delivery: parsed.delivery,
  };
}

export function buildTaskJob(spec: TaskJobSpec, task: TaskInfo, now: number): NewJob {
  const parsed = parseDelivery(spec.target, spec.onFailure, spec.onSuccess);
  const scheduled = spec.runAt === undefined ? now : parseField('scheduled_at', () => parseRfc3339(spec.runAt!));
  // The spread goes last: properties after a spread cost microseconds each (docs/architecture.md, "Per-job code").
  return {
    id: spec.id ?? newId(now),
    scheduleId: null,
    name: null,
    occurrence: scheduled,
    runAt: scheduled,
    createdAt: now,
    dialect: 'v1',
    ...taskWork(spec, task, parsed),
  };
}

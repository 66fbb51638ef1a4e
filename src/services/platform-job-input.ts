/** Turns a job platform create request (seed 003 `CreateJobDto`) into a job row. */
import { parseField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { parseRfc3339 } from '../core/time-spec.js';
import { parseDelivery } from '../core/delivery-spec.js';
import { CALLBACK_QUEUE, type FailurePolicy, type Priority } from '../core/types.js';
import type { NewJob, TaskInfo } from '../store/store.js';

/** The fields of CreateJobDto / RunSyncJobDto that shape a job (validated by the route schema). */
export interface JobRequest {
  task_name: string;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  queue_name?: string;
  priority?: Priority;
  scheduled_at?: string | null;
  max_retries?: number;
  retry_delay?: number;
  timeout?: number;
  tags?: string[];
  metadata?: Record<string, unknown>;
  version?: string;
  job_id?: string;
  /** Chime extensions (delivery-spec.ts): an HTTP target instead of a task, and hook URLs. */
  target?: unknown;
  on_failure?: string;
  on_success?: string;
}

/**
 * What a job with a `target` runs instead of a registered task: an HTTP request, delivered
 * by the callback lane; `task_name` is then its label. Its retries are the request's, else
 * the server's default policy; its timeout the target's, else `timeout`, else JOB_TIMEOUT.
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

/** Retries of a job: the request's, else its task's (seed 003: `max_retries`, `retry_delay` seconds). */
export function taskFailurePolicy(request: Pick<JobRequest, 'max_retries' | 'retry_delay'>, task: TaskInfo): FailurePolicy {
  return {
    kind: 'constant',
    intervalMs: request.retry_delay === undefined ? task.retryDelayMs : Math.round(request.retry_delay * 1000),
    maxRetries: request.max_retries ?? task.maxRetries,
  };
}

export function buildTaskJob(request: JobRequest, task: TaskInfo, now: number): NewJob {
  const parsed = parseDelivery(request.target, request.on_failure, request.on_success);
  const http = parsed.delivery?.target != null;
  const scheduled =
    request.scheduled_at === undefined || request.scheduled_at === null
      ? now
      : parseField('scheduled_at', () => parseRfc3339(request.scheduled_at!));
  return {
    id: request.job_id ?? newId(now),
    scheduleId: null,
    name: null,
    occurrence: scheduled,
    runAt: scheduled,
    target: http ? 'callback' : 'task',
    queue: http ? CALLBACK_QUEUE : (request.queue_name ?? task.queue),
    taskName: http ? request.task_name : task.name,
    taskVersion: request.version ?? null,
    priority: request.priority ?? 'normal',
    payload: JSON.stringify({ args: request.args ?? [], kwargs: request.kwargs ?? {} }),
    failurePolicy: http && request.max_retries === undefined ? null : taskFailurePolicy(request, task),
    timeoutMs: parsed.timeoutMs ?? (request.timeout === undefined ? (http ? null : task.timeoutMs) : Math.round(request.timeout * 1000)),
    tags: request.tags ?? [],
    metadata: JSON.stringify(request.metadata ?? {}),
    delivery: parsed.delivery,
    createdAt: now,
    dialect: 'v1',
  };
}

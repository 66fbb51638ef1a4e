/** Turns a job platform create request (seed 003 `CreateJobDto`) into a job row. */
import { parseField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { parseRfc3339 } from '../core/time-spec.js';
import type { FailurePolicy, Priority } from '../core/types.js';
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
}

/** Retries of a job: the request's, else its task's (seed 003: `max_retries`, `retry_delay` seconds). */
export function taskFailurePolicy(request: Pick<JobRequest, 'max_retries' | 'retry_delay'>, task: TaskInfo): FailurePolicy {
  return {
    kind: 'constant',
    intervalMs: request.retry_delay === undefined ? task.retryDelayMs : Math.round(request.retry_delay * 1000),
    maxRetries: request.max_retries ?? task.maxRetries,
  };
}

export function buildTaskJob(request: JobRequest, task: TaskInfo, now: number): NewJob {
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
    target: 'task',
    queue: request.queue_name ?? task.queue,
    taskName: task.name,
    taskVersion: request.version ?? null,
    priority: request.priority ?? 'normal',
    payload: JSON.stringify({ args: request.args ?? [], kwargs: request.kwargs ?? {} }),
    failurePolicy: taskFailurePolicy(request, task),
    timeoutMs: request.timeout === undefined ? task.timeoutMs : Math.round(request.timeout * 1000),
    tags: request.tags ?? [],
    metadata: JSON.stringify(request.metadata ?? {}),
    createdAt: now,
    dialect: 'v1',
  };
}

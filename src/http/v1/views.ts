/** Domain records as the job platform's DTOs (seed 003): snake_case, seconds, RFC 3339. */
import { deliveryView } from '../../core/delivery-spec.js';
import { formatRfc3339 } from '../../core/time-spec.js';
import type { JobRecord, ScheduleRecord } from '../../core/types.js';
import type { JobStats, QueueInfo, StatusCounts, TaskInfo, WorkerInfo } from '../../store/store.js';
import type { StoredScheduleSource } from '../../services/platform-schedule-spec.js';
import type { JobStatsDto, JobViewDto, QueueDto, ScheduleViewDto, TaskInfoDto, WorkerDto } from './schemas.js';

const iso = (ms: number | null): string | null => (ms === null ? null : formatRfc3339(ms));
const seconds = (ms: number | null): number | null => (ms === null ? null : ms / 1000);

export function jobView(job: JobRecord): JobViewDto {
  const { args, kwargs } = JSON.parse(job.payload) as { args: unknown[]; kwargs: Record<string, unknown> };
  const policy = job.failurePolicy;
  return {
    id: job.id,
    task_name: job.taskName ?? '',
    args,
    kwargs,
    queue_name: job.queue,
    priority: job.priority,
    status: job.status,
    scheduled_at: formatRfc3339(job.occurrence),
    created_at: formatRfc3339(job.createdAt),
    started_at: iso(job.startedAt),
    completed_at: iso(job.completedAt),
    result: job.result === null ? null : JSON.parse(job.result),
    error: job.error,
    retry_count: Math.max(0, job.attempts - 1),
    max_retries: policy?.kind === 'constant' ? (policy.maxRetries ?? -1) : 0,
    retry_delay: policy?.kind === 'constant' ? policy.intervalMs / 1000 : 0,
    tags: job.tags,
    metadata: JSON.parse(job.metadata) as Record<string, unknown>,
    worker_id: job.workerId,
    timeout: (job.timeoutMs ?? 0) / 1000,
    version: job.taskVersion,
    duration: job.startedAt !== null && job.completedAt !== null ? (job.completedAt - job.startedAt) / 1000 : null,
    schedule_id: job.scheduleId,
    ...deliveryView(job.delivery, job.timeoutMs),
  };
}

export function scheduleView(s: ScheduleRecord): ScheduleViewDto {
  const { args, kwargs } = JSON.parse(s.template.payload) as { args: unknown[]; kwargs: Record<string, unknown> };
  const source = s.source as Partial<StoredScheduleSource>;
  const policy = s.template.failurePolicy;
  return {
    id: s.id,
    name: s.name,
    task_name: s.template.taskName ?? '',
    status: s.status,
    cron_expression: source.cron_expression ?? null,
    interval: source.interval ?? null,
    args,
    kwargs,
    queue_name: s.template.queue,
    priority: s.template.priority,
    tags: s.template.tags,
    metadata: JSON.parse(s.template.metadata) as Record<string, unknown>,
    max_retries: policy?.kind === 'constant' ? (policy.maxRetries ?? -1) : 0,
    retry_delay: policy?.kind === 'constant' ? policy.intervalMs / 1000 : 0,
    timeout: (s.template.timeoutMs ?? 0) / 1000,
    last_run_at: iso(s.lastRunAt),
    next_run_at: iso(s.nextRunAt),
    created_at: formatRfc3339(s.createdAt),
    updated_at: formatRfc3339(s.updatedAt),
    version: s.template.taskVersion,
    timezone: source.timezone ?? null,
    missed_fire_policy: s.missedFire,
    ...deliveryView(s.template.delivery ?? null, s.template.timeoutMs),
  };
}

export function queueView(q: QueueInfo): QueueDto {
  return { name: q.name, size: q.size, is_paused: q.isPaused, running: q.running, concurrency: q.concurrency };
}

export function taskView(t: TaskInfo): TaskInfoDto {
  return {
    name: t.name,
    description: t.description,
    is_async: t.isAsync,
    timeout: t.timeoutMs / 1000,
    max_retries: t.maxRetries,
    retry_delay: t.retryDelayMs / 1000,
    queue: t.queue,
    version: t.version,
  };
}

export function workerView(w: WorkerInfo): WorkerDto {
  return {
    id: w.id,
    hostname: w.hostname,
    pid: w.pid,
    queues: w.queues,
    tasks: w.tasks,
    concurrency: w.concurrency,
    status: w.status,
    started_at: formatRfc3339(w.startedAt),
    last_seen_at: formatRfc3339(w.lastSeenAt),
  };
}

function counters(c: StatusCounts) {
  return {
    total_jobs: c.total,
    pending_jobs: c.byStatus.pending,
    reserved_jobs: c.byStatus.reserved,
    running_jobs: c.byStatus.running,
    completed_jobs: c.byStatus.completed,
    failed_jobs: c.byStatus.failed,
    retrying_jobs: c.byStatus.retrying,
    cancelled_jobs: c.byStatus.cancelled,
    timeout_jobs: c.byStatus.timeout,
  };
}

export function statsView(stats: JobStats): JobStatsDto {
  return {
    ...counters(stats),
    avg_wait_time: seconds(stats.avgWaitMs),
    avg_run_time: seconds(stats.avgRunMs),
    by_queue: Object.fromEntries(Object.entries(stats.byQueue).map(([queue, c]) => [queue, counters(c)])),
    by_priority: stats.byPriority,
  };
}

/** Seed 003's pagination shape. */
export function pageView<T, R>(items: readonly T[], total: number, limit: number, offset: number, view: (item: T) => R) {
  return {
    items: items.map(view),
    total,
    page: Math.floor(offset / limit) + 1,
    page_size: limit,
    pages: Math.ceil(total / limit),
  };
}

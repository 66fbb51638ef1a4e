/**
 * Seed 003's schedule DTOs (`CreateScheduleDto`, `UpdateScheduleDto`, the preview query) → the
 * ScheduleSpec and ScheduleUpdate the service takes: snake_case names to domain words, seconds
 * to milliseconds, and, for a create, the document's defaults (priority `normal`, no args, no
 * tags). Every rule lives in the service (services/platform-schedules.ts).
 */
import type { RecurrenceSpec, ScheduleSpec, ScheduleUpdate } from '../../services/platform-schedule-spec.js';
import { wireMs } from './job-wire.js';
import type { CreateScheduleDto, UpdateScheduleDto } from './schemas.js';

/**
 * `PUT /api/v1/schedules/:id`, and the in-place update of `POST /schedules?upsert=true`: only
 * the fields the body gives (the others stay undefined, and the schedule keeps its own).
 */
export function scheduleUpdateOf(dto: UpdateScheduleDto): ScheduleUpdate {
  return {
    name: dto.name,
    taskName: dto.task_name,
    cron: dto.cron_expression,
    interval: dto.interval,
    timezone: dto.timezone,
    args: dto.args,
    kwargs: dto.kwargs,
    queue: dto.queue_name,
    priority: dto.priority,
    tags: dto.tags,
    metadata: dto.metadata,
    maxRetries: dto.max_retries,
    retryDelayMs: wireMs(dto.retry_delay),
    timeoutMs: wireMs(dto.timeout),
    taskVersion: dto.version,
    missedFirePolicy: dto.missed_fire_policy,
    target: dto.target,
    onFailure: dto.on_failure,
    onSuccess: dto.on_success,
    status: dto.status,
  };
}

/** `POST /api/v1/schedules`: the schedule to create, with seed 003's defaults filled in. */
export function scheduleSpecOf(dto: CreateScheduleDto): ScheduleSpec {
  const { status: _status, ...given } = scheduleUpdateOf(dto);
  return {
    ...given,
    name: dto.name,
    taskName: dto.task_name,
    args: dto.args ?? [],
    kwargs: dto.kwargs ?? {},
    priority: dto.priority ?? 'normal',
    tags: dto.tags ?? [],
    metadata: dto.metadata ?? {},
  };
}

/** `GET /api/v1/schedules/preview`'s query: a cron expression or an interval in seconds. */
export function recurrenceOfPreviewQuery(query: { cron_expression?: string; interval_seconds?: number; timezone?: string }): RecurrenceSpec {
  return {
    cron: query.cron_expression ?? null,
    interval: query.interval_seconds === undefined ? null : { seconds: query.interval_seconds },
    timezone: query.timezone ?? null,
  };
}

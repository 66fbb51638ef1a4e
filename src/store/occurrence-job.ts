import { newId } from '../core/ids.js';
import type { ScheduleRecord } from '../core/types.js';
import type { NewJob } from './store.js';

/**
 * The job row that stands for one occurrence of a schedule: the schedule's template
 * stamped with the occurrence time. Every backend materialises next occurrences with
 * this, so they look the same whichever store made them.
 */
export function occurrenceJob(
  schedule: Pick<ScheduleRecord, 'id' | 'name' | 'dialect' | 'template'>,
  occurrence: number,
  now: number,
): NewJob {
  const t = schedule.template;
  return {
    id: newId(now),
    scheduleId: schedule.id,
    name: t.target === 'callback' ? schedule.name : null,
    occurrence,
    runAt: occurrence,
    target: t.target,
    queue: t.queue,
    taskName: t.taskName,
    taskVersion: t.taskVersion,
    priority: t.priority,
    payload: t.payload,
    failurePolicy: t.failurePolicy,
    timeoutMs: t.timeoutMs,
    tags: t.tags,
    metadata: t.metadata,
    // Schedules written before per-job delivery existed have no such field.
    delivery: t.delivery ?? null,
    traceparent: t.traceparent ?? null,
    createdAt: now,
    dialect: schedule.dialect,
  };
}

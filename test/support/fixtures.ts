/** Builders for domain records used across store and engine tests. */
import { newId } from '../../src/core/ids.js';
import { CALLBACK_QUEUE, type JobTemplate, type Recurrence } from '../../src/core/types.js';
import { modulePlanner } from '../../src/store/planners.js';
import type { NewJob, NewSchedule } from '../../src/store/store.js';
import * as plans from './plans.mjs';

export const T0 = Date.parse('2030-01-01T00:00:00.000Z');

export function callbackTemplate(overrides: Partial<JobTemplate> = {}): JobTemplate {
  return {
    target: 'callback',
    queue: CALLBACK_QUEUE,
    taskName: null,
    taskVersion: null,
    priority: 'normal',
    payload: '{"hello":"world"}',
    failurePolicy: { kind: 'constant', intervalMs: 1000, maxRetries: 3 },
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    ...overrides,
  };
}

export function taskTemplate(overrides: Partial<JobTemplate> = {}): JobTemplate {
  return callbackTemplate({
    target: 'task',
    queue: 'default',
    taskName: 'process_data',
    taskVersion: '1.0',
    payload: '{"args":[],"kwargs":{}}',
    ...overrides,
  });
}

export function newJob(overrides: Partial<NewJob> = {}, template: JobTemplate = taskTemplate()): NewJob {
  const runAt = overrides.runAt ?? T0;
  return {
    id: newId(),
    scheduleId: null,
    name: null,
    occurrence: runAt,
    runAt,
    target: template.target,
    queue: template.queue,
    taskName: template.taskName,
    taskVersion: template.taskVersion,
    priority: template.priority,
    payload: template.payload,
    failurePolicy: template.failurePolicy,
    timeoutMs: template.timeoutMs,
    tags: template.tags,
    metadata: template.metadata,
    delivery: template.delivery,
    createdAt: T0 - 1000,
    dialect: 'v1',
    ...overrides,
  };
}

export function newSchedule(overrides: Partial<NewSchedule> = {}): NewSchedule {
  const recurrence: Recurrence = overrides.recurrence ?? { kind: 'every', everyMs: 1000 };
  return {
    id: newId(),
    name: `job-${Math.random().toString(36).slice(2, 10)}`,
    // A schedule of tasks is the platform's (`/api/v1`), as every task job is: the PostgreSQL
    // store's jobs table holds them to that (migration 013).
    dialect: overrides.template?.target === 'task' ? 'v1' : 'envelope',
    status: 'active',
    recurrence,
    startAt: T0,
    expiresAt: null,
    repeats: null,
    missedFire: 'fire_once',
    template: callbackTemplate(),
    nextRunAt: T0,
    source: {},
    createdAt: T0 - 1000,
    updatedAt: T0 - 1000,
    ...overrides,
  };
}

/** The first occurrence job of a schedule, as the services build it. */
export function firstJob(schedule: NewSchedule, occurrence: number = schedule.startAt ?? T0): NewJob {
  return newJob(
    {
      scheduleId: schedule.id,
      name: schedule.template.target === 'callback' ? schedule.name : null,
      occurrence,
      runAt: occurrence,
      dialect: schedule.dialect,
      createdAt: schedule.createdAt,
    },
    schedule.template,
  );
}

const PLANS = new URL('./plans.mjs', import.meta.url);

/** A planNext for `every` schedules: next = occurrence + everyMs, honouring repeats. */
export const everyPlan = modulePlanner(PLANS, 'everyPlan', plans.everyPlan);

export const noNext = modulePlanner(PLANS, 'noNext', plans.noNext);

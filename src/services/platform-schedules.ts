/**
 * The job platform's schedules (seed 003): a cron expression or an interval that creates a
 * task job per occurrence. They share the engine's schedules with Dapr jobs: each occurrence
 * is one job row keyed by (schedule, occurrence), so several servers never create two.
 */
import type { Clock } from '../core/clock.js';
import { ChimeError, invalidField, parseField } from '../core/errors.js';
import { newId } from '../core/ids.js';
import { intervalToMs, nextOccurrence, parseDaprSchedule } from '../core/recurrence.js';
import { assertTimeZone } from '../core/timezone.js';
import { parseDelivery } from '../core/delivery-spec.js';
import { type MissedFirePolicy, type Recurrence, type ScheduleRecord } from '../core/types.js';
import { occurrenceJob } from '../store/occurrence-job.js';
import type { NewSchedule, Page, Store } from '../store/store.js';
import { scheduleWithTrace, UNTRACED, type JobTracing } from '../core/job-tracing.js';
import { LifecycleEvents } from '../core/lifecycle-events.js';
import { HTTP_TARGET_TASK, taskWork } from './platform-job-spec.js';
import { checkDeliverySpec, type TargetCheck } from '../core/delivery-check.js';
import { NO_RUNTIME, type RuntimePort } from '../core/runtime-port.js';
import type { TaskCatalog } from './task-catalog.js';
import { specOfStoredSource, storedSourceOf, type RecurrenceSpec, type ScheduleSpec, type ScheduleUpdate } from './platform-schedule-spec.js';

/** How a create treats a schedule of the same name. */
export interface ScheduleCreateOptions {
  /** Update the existing schedule in place with these fields (the ones the request gave) instead of refusing. */
  upsert?: ScheduleUpdate;
  /** The request's W3C trace context, which every occurrence's firing joins. */
  traceparent?: unknown;
}

export class PlatformSchedules {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly catalog: TaskCatalog,
    private readonly defaultMissedFire: MissedFirePolicy,
    private readonly events: LifecycleEvents = new LifecycleEvents(),
    private readonly guard?: TargetCheck,
    private readonly tracing: JobTracing = UNTRACED,
    /** This node's engine: a delete here also ends the occurrence it holds. */
    private readonly runtime: RuntimePort = NO_RUNTIME,
  ) {}

  private changed(schedule: Pick<ScheduleRecord, 'id' | 'name' | 'dialect'>, change: 'created' | 'updated' | 'paused' | 'resumed' | 'deleted'): void {
    if (!this.events.active) return;
    this.events.emit({ type: 'schedule.changed', at: this.clock.now(), scheduleId: schedule.id, name: schedule.name, dialect: schedule.dialect, change });
  }

  /**
   * Names are unique among schedules: a second create of a name is SCHEDULE_EXISTS (409), or,
   * with `upsert`, an update in place of the existing one (the "create my schedules on every
   * boot" pattern). The store decides, atomically, also between servers sharing it: of
   * concurrent creates of one new name one is created and the others find it, as if they had
   * come after it.
   */
  async create(spec: ScheduleSpec, options: ScheduleCreateOptions = {}): Promise<ScheduleRecord> {
    const now = this.clock.now();
    const built = await this.build(spec, newId(now), now, now, 'active');
    // The look-up first spares a create that would be refused (and its trace) in the common case.
    const existing = await this.findByName(spec.name);
    if (existing) return this.nameTaken(existing, options);
    let created: ScheduleRecord;
    try {
      created = await this.tracing.create(built.template.queue, options.traceparent ?? null, 1, (trace) => {
        const schedule = scheduleWithTrace(built, trace);
        const first = schedule.nextRunAt === null ? null : occurrenceJob(schedule, schedule.nextRunAt, now);
        return this.store.createSchedule(schedule, first, 'create');
      });
    } catch (error) {
      // Another create of the name won the race: answer as if this one had come after it.
      if (!(error instanceof ChimeError) || error.code !== 'SCHEDULE_EXISTS') throw error;
      const winner = await this.findByName(spec.name);
      if (!winner) throw error;
      return this.nameTaken(winner, options);
    }
    this.changed(created, 'created');
    return created;
  }

  /** A create of a name `existing` has: an update of it with `upsert`, SCHEDULE_EXISTS without. */
  private async nameTaken(existing: ScheduleRecord, options: ScheduleCreateOptions): Promise<ScheduleRecord> {
    if (options.upsert) return this.update(existing.id, options.upsert);
    throw new ChimeError('SCHEDULE_EXISTS', `Schedule already exists: ${existing.name} (${existing.id}); update it, or create with ?upsert=true`, {
      field: 'name',
    });
  }

  private async findByName(name: string): Promise<ScheduleRecord | null> {
    for (let offset = 0; ; offset += 100) {
      const page = await this.store.listSchedules({ dialects: ['v1'], namePrefix: name, limit: 100, offset });
      const found = page.items.find((s) => s.name === name);
      if (found) return found;
      if (page.items.length < 100) return null;
    }
  }

  async get(id: string): Promise<ScheduleRecord> {
    const schedule = await this.store.getSchedule(id);
    if (!schedule || schedule.dialect !== 'v1') throw new ChimeError('SCHEDULE_NOT_FOUND', `Schedule not found: ${id}`);
    return schedule;
  }

  async list(query: { status?: 'active' | 'paused'; tags?: string[]; limit: number; offset: number }): Promise<Page<ScheduleRecord>> {
    return this.store.listSchedules({
      dialects: ['v1'],
      statuses: query.status ? [query.status] : undefined,
      tags: query.tags,
      limit: query.limit,
      offset: query.offset,
      countTotal: true,
    });
  }

  /** Applies the given fields; the recurrence and next_run_at are recomputed from the result. */
  async update(id: string, update: ScheduleUpdate): Promise<ScheduleRecord> {
    const current = await this.get(id);
    const stored = specOfStoredSource(current.source);
    const template = current.template;
    const payload = JSON.parse(template.payload) as { args: unknown[]; kwargs: Record<string, unknown> };
    // A new cron replaces an interval and the other way round; both at once is refused in build().
    const cronGiven = update.cron !== undefined && update.cron !== null;
    const intervalGiven = update.interval !== undefined && update.interval !== null;
    const merged: ScheduleSpec = {
      name: update.name ?? current.name,
      taskName: update.taskName ?? template.taskName ?? '',
      cron: cronGiven ? update.cron : intervalGiven ? null : (stored.cron ?? null),
      interval: intervalGiven ? update.interval : cronGiven ? null : (stored.interval ?? null),
      args: update.args ?? payload.args,
      kwargs: update.kwargs ?? payload.kwargs,
      queue: update.queue ?? template.queue,
      priority: update.priority ?? template.priority,
      tags: update.tags ?? template.tags,
      metadata: update.metadata ?? (JSON.parse(template.metadata) as Record<string, unknown>),
      maxRetries: update.maxRetries ?? stored.maxRetries,
      retryDelayMs: update.retryDelayMs ?? stored.retryDelayMs,
      timeoutMs: update.timeoutMs ?? stored.timeoutMs,
      taskVersion: update.taskVersion ?? stored.taskVersion,
      timezone: update.timezone === undefined ? (stored.timezone ?? null) : update.timezone,
      missedFirePolicy: update.missedFirePolicy ?? current.missedFire,
      // Kept in the source as given, so an update that does not name them keeps them.
      target: update.target ?? stored.target,
      onFailure: update.onFailure ?? stored.onFailure,
      onSuccess: update.onSuccess ?? stored.onSuccess,
    };
    if (update.cron === null && update.interval === undefined && !stored.interval) {
      throw invalidField('cron_expression', 'cannot be removed without giving an interval');
    }
    const now = this.clock.now();
    const status = update.status ?? (current.status === 'paused' ? 'paused' : 'active');
    const rebuilt = await this.build(merged, id, current.createdAt, now, status);
    const updated = await this.store.updateSchedule(id, {
      status,
      patch: {
        name: rebuilt.name,
        recurrence: rebuilt.recurrence,
        missedFire: rebuilt.missedFire,
        template: rebuilt.template,
        source: rebuilt.source,
      },
      nextOccurrence: rebuilt.nextRunAt === null ? null : occurrenceJob(rebuilt, rebuilt.nextRunAt, now),
      updatedAt: now,
    });
    if (!updated) throw new ChimeError('SCHEDULE_NOT_FOUND', `Schedule not found: ${id}`);
    // Pause and resume are updates that give nothing but the status.
    const onlyStatus = update.status !== undefined && Object.entries(update).every(([key, value]) => key === 'status' || value === undefined);
    this.changed(updated, onlyStatus ? (update.status === 'paused' ? 'paused' : 'resumed') : 'updated');
    return updated;
  }

  async pause(id: string): Promise<ScheduleRecord> {
    return this.update(id, { status: 'paused' });
  }

  /** Occurrences that fell while paused are not fired; the next one after now is. */
  async resume(id: string): Promise<ScheduleRecord> {
    return this.update(id, { status: 'active' });
  }

  /**
   * The next `count` occurrences of a cron expression or interval after `now`, with the
   * engine's own schedule maths (what a schedule created now would fire at).
   */
  preview(spec: RecurrenceSpec, count: number): number[] {
    const recurrence = parseRecurrence(spec);
    const now = this.clock.now();
    const times: number[] = [];
    let after = now;
    while (times.length < count) {
      const next = nextOccurrence(recurrence, after, now);
      if (next === null) break;
      times.push(next);
      after = next;
    }
    return times;
  }

  async delete(id: string): Promise<void> {
    const schedule = await this.get(id);
    if (!(await this.store.deleteSchedule(id))) return;
    this.runtime.cancelHeld(id);
    this.changed(schedule, 'deleted');
  }

  private async build(spec: ScheduleSpec, id: string, createdAt: number, now: number, status: 'active' | 'paused'): Promise<NewSchedule> {
    const recurrence = parseRecurrence(spec);
    const parsed = parseDelivery(spec.target, spec.onFailure, spec.onSuccess);
    checkDeliverySpec(this.guard, parsed.delivery);
    const http = parsed.delivery?.target != null;
    const task = http ? HTTP_TARGET_TASK : await this.catalog.resolve(spec.taskName, spec.taskVersion);
    // Intervals keep the grid of their creation time, also across updates and resumes.
    const next = status === 'paused' ? null : nextOccurrence(recurrence, now, createdAt);
    if (status === 'active' && next === null) throw invalidField('cron_expression', 'never fires (no date matches it)');
    return {
      id,
      name: spec.name,
      dialect: 'v1',
      status,
      recurrence,
      startAt: null,
      expiresAt: null,
      repeats: null,
      missedFire: spec.missedFirePolicy ?? this.defaultMissedFire,
      template: taskWork(spec, task, parsed),
      nextRunAt: next,
      source: storedSourceOf(spec),
      createdAt,
      updatedAt: now,
    };
  }
}

/** Exactly one of a cron expression and an interval. */
function parseRecurrence(spec: RecurrenceSpec): Recurrence {
  const cron = spec.cron ?? null;
  const interval = spec.interval ?? null;
  if ((cron === null) === (interval === null)) {
    throw invalidField('cron_expression', 'give exactly one of cron_expression and interval');
  }
  if (interval !== null) return { kind: 'every', everyMs: parseField('interval', () => intervalToMs(interval)) };
  const timezone = spec.timezone ? parseField('timezone', () => assertTimeZone(spec.timezone!)) : undefined;
  return parseField('cron_expression', () => parseDaprSchedule(cron!, { timezone }));
}

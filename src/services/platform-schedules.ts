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
import { CALLBACK_QUEUE, type MissedFirePolicy, type Priority, type Recurrence, type ScheduleRecord } from '../core/types.js';
import { occurrenceJob } from '../store/occurrence-job.js';
import type { NewSchedule, Page, Store } from '../store/store.js';
import { scheduleWithTrace, UNTRACED, type JobTracing } from '../core/job-tracing.js';
import { LifecycleEvents } from '../core/lifecycle-events.js';
import { HTTP_TARGET_TASK, taskFailurePolicy } from './platform-job-input.js';
import { checkDeliverySpec, type TargetCheck } from '../core/delivery-check.js';
import type { TaskCatalog } from './task-catalog.js';

export interface IntervalSpec {
  seconds?: number;
  minutes?: number;
  hours?: number;
  days?: number;
}

export interface ScheduleRequest {
  name: string;
  task_name: string;
  cron_expression?: string | null;
  interval?: IntervalSpec | null;
  args?: unknown[];
  kwargs?: Record<string, unknown>;
  queue_name?: string;
  priority?: Priority;
  tags?: string[];
  metadata?: Record<string, unknown>;
  max_retries?: number;
  retry_delay?: number;
  timeout?: number;
  version?: string;
  timezone?: string | null;
  missed_fire_policy?: MissedFirePolicy;
  /** Chime extensions, as on jobs (platform-job-input.ts). */
  target?: unknown;
  on_failure?: string;
  on_success?: string;
}

export type ScheduleUpdateRequest = Partial<ScheduleRequest> & { status?: 'active' | 'paused' };

export class PlatformSchedules {
  /** The create in progress per name on this node. */
  private readonly creating = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly catalog: TaskCatalog,
    private readonly defaultMissedFire: MissedFirePolicy,
    private readonly events: LifecycleEvents = new LifecycleEvents(),
    private readonly guard?: TargetCheck,
    private readonly tracing: JobTracing = UNTRACED,
  ) {}

  private changed(schedule: Pick<ScheduleRecord, 'id' | 'name' | 'dialect'>, change: 'created' | 'updated' | 'paused' | 'resumed' | 'deleted'): void {
    if (!this.events.active) return;
    this.events.emit({ type: 'schedule.changed', at: this.clock.now(), scheduleId: schedule.id, name: schedule.name, dialect: schedule.dialect, change });
  }

  /**
   * Names are unique among schedules: a second create of a name is SCHEDULE_EXISTS (409), or,
   * with `upsert`, an update in place of the existing one (the "create my schedules on every
   * boot" pattern). The check reads before it writes; creates of one name are serialised on a
   * node, but two servers creating one new name at the same instant can still both succeed.
   * `traceparent`: the request's W3C trace context, which every occurrence's firing joins.
   */
  async create(request: ScheduleRequest, upsert = false, traceparent: unknown = null): Promise<ScheduleRecord> {
    // Creates of one name on this node run one after another, so they cannot both pass the check.
    const before = this.creating.get(request.name) ?? Promise.resolve();
    const run = before.catch(() => {}).then(() => this.createNow(request, upsert, traceparent));
    const settled = run.then(
      () => {},
      () => {},
    );
    this.creating.set(request.name, settled);
    void settled.then(() => {
      if (this.creating.get(request.name) === settled) this.creating.delete(request.name);
    });
    return run;
  }

  private async createNow(request: ScheduleRequest, upsert: boolean, traceparent: unknown): Promise<ScheduleRecord> {
    const now = this.clock.now();
    const built = await this.build(request, newId(now), now, now, 'active');
    const existing = await this.findByName(request.name);
    if (existing) {
      if (upsert) return this.update(existing.id, request);
      throw new ChimeError('SCHEDULE_EXISTS', `Schedule already exists: ${request.name} (${existing.id}); update it, or create with ?upsert=true`, { field: 'name' });
    }
    const created = await this.tracing.create(built.template.queue, traceparent, 1, (trace) => {
      const schedule = scheduleWithTrace(built, trace);
      const first = schedule.nextRunAt === null ? null : occurrenceJob(schedule, schedule.nextRunAt, now);
      return this.store.createSchedule(schedule, first, 'create');
    });
    this.changed(created, 'created');
    return created;
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
  async update(id: string, request: ScheduleUpdateRequest): Promise<ScheduleRecord> {
    const current = await this.get(id);
    const source = current.source as Partial<ScheduleRequest>;
    const template = current.template;
    const payload = JSON.parse(template.payload) as { args: unknown[]; kwargs: Record<string, unknown> };
    // A new cron replaces an interval and the other way round; both at once is refused in build().
    const cronGiven = request.cron_expression !== undefined && request.cron_expression !== null;
    const intervalGiven = request.interval !== undefined && request.interval !== null;
    const merged: ScheduleRequest = {
      name: request.name ?? current.name,
      task_name: request.task_name ?? template.taskName ?? '',
      cron_expression: cronGiven ? request.cron_expression : intervalGiven ? null : (source.cron_expression ?? null),
      interval: intervalGiven ? request.interval : cronGiven ? null : (source.interval ?? null),
      args: request.args ?? payload.args,
      kwargs: request.kwargs ?? payload.kwargs,
      queue_name: request.queue_name ?? template.queue,
      priority: request.priority ?? template.priority,
      tags: request.tags ?? template.tags,
      metadata: request.metadata ?? (JSON.parse(template.metadata) as Record<string, unknown>),
      max_retries: request.max_retries ?? source.max_retries,
      retry_delay: request.retry_delay ?? source.retry_delay,
      timeout: request.timeout ?? source.timeout,
      version: request.version ?? source.version,
      timezone: request.timezone === undefined ? (source.timezone ?? null) : request.timezone,
      missed_fire_policy: request.missed_fire_policy ?? current.missedFire,
      // Kept in the source as given, so an update that does not name them keeps them.
      target: request.target ?? source.target,
      on_failure: request.on_failure ?? source.on_failure,
      on_success: request.on_success ?? source.on_success,
    };
    if (request.cron_expression === null && request.interval === undefined && !source.interval) {
      throw invalidField('cron_expression', 'cannot be removed without giving an interval');
    }
    const now = this.clock.now();
    const status = request.status ?? (current.status === 'paused' ? 'paused' : 'active');
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
    const onlyStatus = Object.keys(request).length === 1 && request.status !== undefined;
    this.changed(updated, onlyStatus ? (request.status === 'paused' ? 'paused' : 'resumed') : 'updated');
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
  preview(request: Pick<ScheduleRequest, 'cron_expression' | 'interval' | 'timezone'>, count: number): number[] {
    const recurrence = parseRecurrence(request);
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
    if (await this.store.deleteSchedule(id)) this.changed(schedule, 'deleted');
  }

  private async build(
    request: ScheduleRequest,
    id: string,
    createdAt: number,
    now: number,
    status: 'active' | 'paused',
  ): Promise<NewSchedule> {
    const recurrence = parseRecurrence(request);
    const { delivery, timeoutMs } = parseDelivery(request.target, request.on_failure, request.on_success);
    checkDeliverySpec(this.guard, delivery);
    const http = delivery?.target != null;
    const task = http ? HTTP_TARGET_TASK : await this.catalog.resolve(request.task_name, request.version);
    // Intervals keep the grid of their creation time, also across updates and resumes.
    const next = status === 'paused' ? null : nextOccurrence(recurrence, now, createdAt);
    if (status === 'active' && next === null) throw invalidField('cron_expression', 'never fires (no date matches it)');
    const { name: _name, task_name: _task, args, kwargs, queue_name, priority, tags, metadata, ...rest } = request;
    return {
      id,
      name: request.name,
      dialect: 'v1',
      status,
      recurrence,
      startAt: null,
      expiresAt: null,
      repeats: null,
      missedFire: request.missed_fire_policy ?? this.defaultMissedFire,
      template: {
        target: http ? 'callback' : 'task',
        queue: http ? CALLBACK_QUEUE : (queue_name ?? task.queue),
        taskName: http ? request.task_name : task.name,
        taskVersion: request.version ?? null,
        priority: priority ?? 'normal',
        payload: JSON.stringify({ args: args ?? [], kwargs: kwargs ?? {} }),
        failurePolicy: http && request.max_retries === undefined ? null : taskFailurePolicy(request, task),
        timeoutMs: timeoutMs ?? (request.timeout === undefined ? (http ? null : task.timeoutMs) : Math.round(request.timeout * 1000)),
        tags: tags ?? [],
        metadata: JSON.stringify(metadata ?? {}),
        delivery,
      },
      nextRunAt: next,
      source: { ...rest, cron_expression: request.cron_expression ?? null, interval: request.interval ?? null },
      createdAt,
      updatedAt: now,
    };
  }
}

/** Exactly one of cron_expression and interval. */
function parseRecurrence(request: Pick<ScheduleRequest, 'cron_expression' | 'interval' | 'timezone'>): Recurrence {
  const cron = request.cron_expression ?? null;
  const interval = request.interval ?? null;
  if ((cron === null) === (interval === null)) {
    throw invalidField('cron_expression', 'give exactly one of cron_expression and interval');
  }
  if (interval !== null) return { kind: 'every', everyMs: parseField('interval', () => intervalToMs(interval)) };
  const timezone = request.timezone ? parseField('timezone', () => assertTimeZone(request.timezone!)) : undefined;
  return parseField('cron_expression', () => parseDaprSchedule(cron!, { timezone }));
}

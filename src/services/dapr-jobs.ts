/**
 * Named Dapr-style jobs: a named schedule whose occurrences are delivered to the app.
 * Shared by both HTTP dialects, the CLI (through HTTP) and the seed 002 reminder routes.
 */
import type { Clock } from '../core/clock.js';
import { ChimeError } from '../core/errors.js';
import { CALLBACK_QUEUE, DEAD_LETTER_STATUSES, type Dialect, type FailurePolicy, type HistoryEntry, type JobRecord, type JobStatus, type MissedFirePolicy, type ScheduleRecord, type ScheduleStatus } from '../core/types.js';
import type { Page, ScheduleCounts, Store } from '../store/store.js';
import { buildDaprJob, type DaprJobSpec } from './dapr-job-spec.js';
import { scheduleWithTrace, UNTRACED, type JobTracing } from '../core/job-tracing.js';
import { jobRefOf, LifecycleEvents } from '../core/lifecycle-events.js';
import { checkDeliverySpec, type TargetCheck } from '../core/delivery-check.js';
import { NO_RUNTIME, type RuntimePort } from '../core/runtime-port.js';

const LIVE_STATUSES: readonly ScheduleStatus[] = ['active', 'paused'];

const DEAD: JobStatus[] = [...DEAD_LETTER_STATUSES];

export interface DaprJobsOptions {
  defaultFailurePolicy: FailurePolicy;
  defaultMissedFire: MissedFirePolicy;
  /** Checks job targets and hook URLs; absent: not checked (tests of other parts). */
  guard?: TargetCheck;
}

export interface DaprJobListQuery {
  prefix?: string;
  statuses?: readonly ScheduleStatus[];
  /** Names strictly after this one (the previous page's `next_cursor`). */
  cursor?: string;
  limit: number;
}

export class DaprJobs {
  constructor(
    private readonly store: Store,
    private readonly clock: Clock,
    private readonly options: DaprJobsOptions,
    private readonly events: LifecycleEvents = new LifecycleEvents(),
    private readonly tracing: JobTracing = UNTRACED,
    /** This node's engine: a delete or replace here also ends the occurrence it holds. */
    private readonly runtime: RuntimePort = NO_RUNTIME,
  ) {}

  /**
   * Schedules a job; JOB_EXISTS if a live job has the name and `overwrite` is false.
   * `traceparent`: the request's W3C trace context, which the job's firings join.
   */
  async create(name: string, request: DaprJobSpec, dialect: Dialect, overwrite: boolean, traceparent: unknown = null): Promise<ScheduleRecord> {
    const { schedule, first } = buildDaprJob(name, request, dialect, this.clock.now(), {
      failurePolicy: this.options.defaultFailurePolicy,
      missedFire: this.options.defaultMissedFire,
    });
    checkDeliverySpec(this.options.guard, schedule.template.delivery);
    // The job it replaces may be held here, claimed ahead of its due time: it must not fire.
    const replaced = overwrite ? await this.store.getScheduleByName(name) : null;
    const created = await this.tracing.create(CALLBACK_QUEUE, traceparent, 1, (trace) =>
      this.store.createSchedule(scheduleWithTrace(schedule, trace), first && trace ? { ...first, traceparent: trace } : first, overwrite ? 'replace' : 'create'),
    );
    if (replaced) this.runtime.cancelHeld(replaced.id);
    if (this.events.active) {
      const at = this.clock.now();
      const change = overwrite ? 'replaced' : 'created';
      this.events.emit({ type: 'schedule.changed', at, scheduleId: created.id, name: created.name, dialect: created.dialect, change });
      if (first) this.events.emit({ type: 'job.created', at, job: jobRefOf({ ...first, scheduleId: created.id }) });
    }
    return created;
  }

  async get(name: string): Promise<ScheduleRecord> {
    const schedule = await this.store.getScheduleByName(name);
    if (!schedule) throw new ChimeError('JOB_NOT_FOUND', `job "${name}" not found`);
    return schedule;
  }

  async list(query: DaprJobListQuery): Promise<{ jobs: ScheduleRecord[]; nextCursor: string | null }> {
    const page = await this.store.listSchedules({
      dialects: ['envelope', 'dapr'],
      namePrefix: query.prefix,
      statuses: query.statuses,
      afterName: query.cursor,
      limit: query.limit,
    });
    const last = page.items[page.items.length - 1];
    return { jobs: page.items, nextCursor: page.items.length === query.limit && last ? last.name : null };
  }

  /** How many jobs have each status (a walk of an index: cache it, as the overview does). */
  countByStatus(): Promise<ScheduleCounts> {
    return this.store.callbackScheduleCounts();
  }

  /**
   * Every live (active or paused) job whose name starts with `prefix`, in name order: the Dapr
   * runtime's ListJobs, which has no paging and never shows a finished job.
   */
  async listLive(prefix?: string): Promise<ScheduleRecord[]> {
    const jobs: ScheduleRecord[] = [];
    let cursor: string | undefined;
    for (;;) {
      const page = await this.list({ prefix, statuses: LIVE_STATUSES, cursor, limit: 500 });
      jobs.push(...page.jobs);
      if (page.nextCursor === null) return jobs;
      cursor = page.nextCursor;
    }
  }

  /** Deletes every job (any status) whose name starts with `prefix` ("" = all); returns how many. */
  async deleteByPrefix(prefix: string): Promise<number> {
    let deleted = 0;
    for (;;) {
      // Always the first page: the rows just deleted are gone from the next read.
      const page = await this.list({ prefix: prefix === '' ? undefined : prefix, limit: 500 });
      let removed = 0;
      for (const job of page.jobs) if (await this.deleteSchedule(job)) removed++;
      deleted += removed;
      // A full page of which nothing could be deleted would be read again forever.
      if (page.nextCursor === null || removed === 0) return deleted;
    }
  }

  /** Deletes by name; returns false when there was none. */
  async delete(name: string): Promise<boolean> {
    const schedule = await this.store.getScheduleByName(name);
    return schedule ? this.deleteSchedule(schedule) : false;
  }

  private async deleteSchedule(schedule: ScheduleRecord): Promise<boolean> {
    const deleted = await this.store.deleteSchedule(schedule.id);
    if (deleted) this.runtime.cancelHeld(schedule.id);
    if (deleted && this.events.active) {
      this.events.emit({ type: 'schedule.changed', at: this.clock.now(), scheduleId: schedule.id, name: schedule.name, dialect: schedule.dialect, change: 'deleted' });
    }
    return deleted;
  }

  async history(name: string, limit: number, beforeId?: number): Promise<HistoryEntry[]> {
    const schedule = await this.get(name);
    return this.store.listHistory({ scheduleId: schedule.id, limit, beforeId });
  }

  /** Occurrences whose retries ran out: failed or timed-out callback jobs (of one job name, if given). */
  async deadLetters(limit: number, offset: number, name?: string): Promise<Page<JobRecord>> {
    return this.store.listJobs({
      target: 'callback',
      name,
      statuses: DEAD,
      limit,
      offset,
      orderBy: 'completed_at',
      orderDir: 'desc',
    });
  }

  /** One dead letter and its failed attempts, newest first. */
  async deadLetter(jobId: string): Promise<{ job: JobRecord; attempts: HistoryEntry[] }> {
    const job = await this.store.getJob(jobId);
    if (!job || job.target !== 'callback' || !DEAD.includes(job.status)) throw new ChimeError('JOB_NOT_FOUND', `dead letter "${jobId}" not found`);
    return { job, attempts: await this.store.listHistory({ jobId, limit: 100 }) };
  }

  /**
   * Retries every dead letter (of one job name, if given), at most `limit`; returns how many
   * went back. Works from the oldest page so retried jobs leaving the list do not shift it.
   */
  async retryDeadLetters(name: string | undefined, limit: number): Promise<number> {
    let retried = 0;
    while (retried < limit) {
      const page = await this.store.listJobs({
        target: 'callback',
        name,
        statuses: DEAD,
        limit: Math.min(500, limit - retried),
        offset: 0,
        orderBy: 'completed_at',
        orderDir: 'asc',
      });
      if (page.items.length === 0) break;
      for (const job of page.items) {
        await this.retryDeadLetter(job.id);
        retried++;
      }
    }
    return retried;
  }

  /** Removes a dead letter and its attempts for good. */
  async deleteDeadLetter(jobId: string): Promise<void> {
    await this.deadLetter(jobId);
    if (!(await this.store.deleteFinishedJob(jobId))) throw new ChimeError('JOB_NOT_FOUND', `dead letter "${jobId}" not found`);
  }

  /** Sends a dead-lettered occurrence again, with a fresh retry budget. */
  async retryDeadLetter(jobId: string): Promise<JobRecord> {
    const job = await this.store.getJob(jobId);
    if (!job || job.target !== 'callback') throw new ChimeError('JOB_NOT_FOUND', `dead letter "${jobId}" not found`);
    const retried = await this.store.retryJob(jobId, this.clock.now());
    if (!retried) throw new ChimeError('JOB_NOT_FOUND', `dead letter "${jobId}" not found`);
    if (this.events.active) this.events.emit({ type: 'job.requeued', at: this.clock.now(), job: jobRefOf(retried) });
    return retried;
  }
}

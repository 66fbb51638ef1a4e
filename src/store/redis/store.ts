import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { ChimeError } from '../../core/errors.js';
import type { ClaimedJob, HistoryEntry, JobRecord, ScheduleRecord } from '../../core/types.js';
import { DueSignals } from '../due-signals.js';
import type {
  ClaimRequest,
  DueSignal,
  HistoryQuery,
  JobOutcome,
  JobQuery,
  JobCounts,
  JobStats,
  Lane,
  NewJob,
  NewSchedule,
  Page,
  PlanNext,
  QueueInfo,
  ReapRequest,
  ReapedJob,
  ScheduleQuery,
  ScheduleUpdate,
  Store,
  StoreHealth,
  TaskInfo,
  WorkerInfo,
} from '../store.js';
import { createConnection, durabilityWarnings, mapRedisError } from './connection.js';
import { RedisContext } from './context.js';
import * as jobs from './jobs.js';
import { RedisKeys } from './keys.js';
import { migrate } from './migrate.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';
import { defineScripts } from './scripts.js';
import * as transitions from './transitions.js';
import { jobCounts } from './job-counts.js';

export interface RedisStoreOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://` for TLS. */
  url: string;
  /** Every key starts with `{prefix}:`. @default 'chime' */
  prefix?: string;
  /**
   * Claims use the smaller of the caller's now and Redis TIME, so no node fires early by the
   * server's clock. Tests on a virtual clock in 2030 turn it off.
   * @default true
   */
  useServerClock?: boolean;
}

/** A health probe that does not answer within this long counts as down. */
const HEALTH_TIMEOUT_MS = 1000;

interface PublishedSignals {
  from: string;
  signals: DueSignal[] | null;
}

/**
 * The Redis store: one Lua script per atomic transition (lua/), the key layout in keys.ts,
 * due signals over pub/sub on `{prefix}:due`.
 *
 * @example
 * const store = createRedisStore({ url: 'redis://127.0.0.1:6379' });
 * await store.open();
 * for (const warning of store.warnings) console.warn(warning);
 */
export class RedisStore implements Store {
  readonly backend = 'redis' as const;
  /** Durability risks found at open (appendonly off, an evicting maxmemory-policy). */
  readonly warnings: string[] = [];
  private readonly keys: RedisKeys;
  private readonly signals = new DueSignals();
  private readonly origin = randomUUID();
  private ctx: RedisContext | undefined;
  private subscriber: Redis | undefined;
  private opening: Promise<void> | undefined;

  constructor(private readonly options: RedisStoreOptions) {
    this.keys = new RedisKeys(options.prefix ?? 'chime');
  }

  open(): Promise<void> {
    this.opening ??= this.connect().catch((error: unknown) => {
      this.opening = undefined;
      throw error;
    });
    return this.opening;
  }

  private async connect(): Promise<void> {
    const redis = createConnection(this.options.url, false);
    const subscriber = createConnection(this.options.url, true);
    try {
      await Promise.all([redis.connect(), subscriber.connect()]);
      defineScripts(redis);
      await migrate(redis, this.keys);
      this.warnings.splice(0, this.warnings.length, ...(await durabilityWarnings(redis)));
      subscriber.on('message', (channel: string, message: string) => this.onMessage(channel, message));
      await subscriber.subscribe(this.keys.dueChannel);
      // After an outage the subscriber may have missed signals: subscribe again and tell
      // listeners to re-read (a null signal). Registered after the first 'ready' has fired.
      subscriber.on('ready', () => {
        subscriber.subscribe(this.keys.dueChannel).then(
          () => this.signals.emit(null),
          () => {},
        );
      });
    } catch (error) {
      redis.disconnect();
      subscriber.disconnect();
      throw mapRedisError(error);
    }
    this.subscriber = subscriber;
    this.ctx = new RedisContext(redis, this.keys, this.origin, this.options.useServerClock ?? true, this.signals);
  }

  private onMessage(channel: string, message: string): void {
    if (channel !== this.keys.dueChannel || !this.signals.hasListeners) return;
    let published: PublishedSignals;
    try {
      published = JSON.parse(message) as PublishedSignals;
    } catch {
      return;
    }
    // This store's own writes already reached its listeners, straight from the script reply.
    if (published.from === this.origin) return;
    if (published.signals === null) this.signals.emit(null);
    else for (const signal of published.signals) this.signals.emit(signal);
  }

  async close(): Promise<void> {
    const { ctx, subscriber } = this;
    this.ctx = undefined;
    this.subscriber = undefined;
    this.opening = undefined;
    this.signals.clear();
    await Promise.all([ctx && quit(ctx.redis), subscriber && quit(subscriber)]);
  }

  async health(): Promise<StoreHealth> {
    const ctx = this.ctx;
    if (!ctx) return { ok: false, backend: 'redis', detail: 'closed' };
    if (ctx.redis.status !== 'ready') return { ok: false, backend: 'redis', detail: `connection ${ctx.redis.status}` };
    try {
      await withTimeout(ctx.redis.ping(), HEALTH_TIMEOUT_MS);
    } catch (error) {
      return { ok: false, backend: 'redis', detail: (error as Error).message };
    }
    const sub = this.subscriber?.status;
    return sub === 'ready' ? { ok: true, backend: 'redis' } : { ok: true, backend: 'redis', detail: `due signals ${sub}` };
  }

  async serverTime(): Promise<number> {
    const [seconds, micros] = await this.context.call((redis) => redis.time());
    return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
  }

  private get context(): RedisContext {
    if (!this.ctx) throw new ChimeError('STORE_UNAVAILABLE', 'the Redis store is not open');
    return this.ctx;
  }

  // ---- schedules

  async createSchedule(schedule: NewSchedule, first: NewJob | null, mode: 'create' | 'replace'): Promise<ScheduleRecord> {
    return schedules.createSchedule(this.context, schedule, first, mode);
  }

  async getSchedule(id: string): Promise<ScheduleRecord | null> {
    return schedules.getSchedule(this.context, id);
  }

  async getScheduleByName(name: string): Promise<ScheduleRecord | null> {
    return schedules.getScheduleByName(this.context, name);
  }

  async listSchedules(query: ScheduleQuery): Promise<Page<ScheduleRecord>> {
    return schedules.listSchedules(this.context, query);
  }

  async updateSchedule(id: string, update: ScheduleUpdate): Promise<ScheduleRecord | null> {
    return schedules.updateSchedule(this.context, id, update);
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return schedules.deleteSchedule(this.context, id);
  }

  // ---- jobs

  async insertJobs(newJobs: readonly NewJob[]): Promise<void> {
    if (newJobs.length === 0) return;
    return jobs.insertJobs(this.context, newJobs);
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return jobs.getJob(this.context, id);
  }

  async listJobs(query: JobQuery): Promise<Page<JobRecord>> {
    return jobs.listJobs(this.context, query);
  }

  async cancelJob(id: string, reason: string | null, now: number, planNext: PlanNext): Promise<JobRecord | null> {
    return jobs.cancelJob(this.context, id, reason, now, planNext);
  }

  async retryJob(id: string, now: number): Promise<JobRecord | null> {
    return jobs.retryJob(this.context, id, now);
  }

  // ---- engine transitions

  async peekDueTimes(lane: Lane, until: number, limit: number): Promise<number[]> {
    return transitions.peekDueTimes(this.context, lane, until, limit);
  }

  async claimDue(request: ClaimRequest): Promise<ClaimedJob[]> {
    return transitions.claimDue(this.context, request);
  }

  async extendLeases(owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
    return transitions.extendLeases(this.context, owner, jobIds, until);
  }

  async recordOutcomes(outcomes: readonly JobOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    return transitions.recordOutcomes(this.context, outcomes);
  }

  async releaseLeases(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    return transitions.releaseLeases(this.context, owner, jobIds, now);
  }

  async reapExpiredLeases(request: ReapRequest): Promise<ReapedJob[]> {
    return transitions.reapExpiredLeases(this.context, request);
  }

  async cancelRequested(jobIds: readonly string[]): Promise<string[]> {
    return transitions.cancelRequested(this.context, jobIds);
  }

  async startJobs(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    return transitions.startJobs(this.context, owner, jobIds, now);
  }

  // ---- queues, tasks, workers, stats

  async listQueues(): Promise<QueueInfo[]> {
    return platform.listQueues(this.context);
  }

  async setQueuePaused(name: string, paused: boolean, now: number): Promise<void> {
    return platform.setQueuePaused(this.context, name, paused, now);
  }

  async setQueueConcurrency(name: string, limit: number | null, now: number): Promise<void> {
    return platform.setQueueConcurrency(this.context, name, limit, now);
  }

  async clearQueue(name: string): Promise<number> {
    return platform.clearQueue(this.context, name);
  }

  async registerTasks(tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void> {
    return platform.registerTasks(this.context, tasks, now);
  }

  async listTasks(): Promise<TaskInfo[]> {
    return platform.listTasks(this.context);
  }

  async getTask(name: string, version?: string): Promise<TaskInfo | null> {
    return platform.getTask(this.context, name, version);
  }

  async saveWorker(worker: WorkerInfo): Promise<void> {
    return platform.saveWorker(this.context, worker);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return platform.listWorkers(this.context);
  }

  async jobStats(): Promise<JobStats> {
    return platform.jobStats(this.context);
  }

  async jobCounts(): Promise<JobCounts> {
    return jobCounts(this.context);
  }

  // ---- history, retention

  async listHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
    return jobs.listHistory(this.context, query);
  }

  async purgeFinished(before: number, limit: number): Promise<number> {
    return jobs.purgeFinished(this.context, before, limit);
  }

  // ---- notifications

  onDue(listener: (signal: DueSignal | null) => void): () => void {
    return this.signals.subscribe(listener);
  }
}

/** QUIT when connected (replies drain first); otherwise just stop reconnecting. */
async function quit(redis: Redis): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no reply within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

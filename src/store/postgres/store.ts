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
import * as claims from './claims.js';
import { ScheduleCreator } from './create-schedules.js';
import { PgDatabase } from './context.js';
import { DueListener } from './due-channel.js';
import { mapPgError } from './errors.js';
import { InsertBatcher } from './insert-jobs.js';
import * as jobs from './jobs.js';
import * as leases from './leases.js';
import { migrate } from './migrate.js';
import { resolvePostgresOptions, type PostgresStoreOptions, type ResolvedPostgresOptions } from './options.js';
import * as outcomes from './outcomes.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';
import { jobCounts } from './job-counts.js';

/**
 * The store for several nodes sharing one PostgreSQL database: claims with
 * `FOR UPDATE SKIP LOCKED`, uniqueness in constraints, LISTEN/NOTIFY for new due work.
 * Every write that makes work due NOTIFYs inside its own transaction and also signals this
 * node's listeners directly once it commits; the LISTEN side skips its own echoes.
 */
export class PostgresStore implements Store {
  readonly backend = 'postgres' as const;
  private readonly options: ResolvedPostgresOptions;
  private readonly signals = new DueSignals();
  private db: PgDatabase | undefined;
  private inserts: InsertBatcher | undefined;
  private creates: ScheduleCreator | undefined;
  private listener: DueListener | undefined;
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(options: PostgresStoreOptions) {
    this.options = resolvePostgresOptions(options);
  }

  async open(): Promise<void> {
    this.opening ??= this.connect();
    return this.opening;
  }

  private async connect(): Promise<void> {
    const db = new PgDatabase(this.options);
    const listener = new DueListener({
      clientConfig: db.clientConfig(),
      channel: this.options.channel,
      origin: db.origin,
      onSignal: (signal) => this.signals.emit(signal),
    });
    try {
      await migrate(db, Date.now());
      await listener.start().catch((error: unknown) => {
        throw mapPgError(error);
      });
    } catch (error) {
      await listener.stop();
      await db.end();
      this.opening = undefined;
      throw error;
    }
    this.db = db;
    this.inserts = new InsertBatcher(db);
    this.creates = new ScheduleCreator(db);
    this.listener = listener;
  }

  async close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => undefined);
      this.signals.clear();
      await this.listener?.stop();
      await this.db?.end();
      this.listener = undefined;
      this.db = undefined;
    })();
    return this.closing;
  }

  async health(): Promise<StoreHealth> {
    if (!this.db) return { ok: false, backend: 'postgres', detail: 'closed' };
    try {
      await this.db.query('SELECT 1');
    } catch (error) {
      return { ok: false, backend: 'postgres', detail: error instanceof Error ? error.message : String(error) };
    }
    if (!this.listener?.connected) return { ok: true, backend: 'postgres', detail: 'notification listener reconnecting' };
    return { ok: true, backend: 'postgres' };
  }

  async serverTime(): Promise<number> {
    const [row] = await this.database.query<{ now: number }>(
      'SELECT floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint AS now',
    );
    return row!.now;
  }

  private get database(): PgDatabase {
    if (!this.db) throw new Error('PostgreSQL store is not open');
    return this.db;
  }

  private emit(signals: readonly DueSignal[]): void {
    for (const signal of signals) this.signals.emit(signal);
  }

  // ---- schedules

  async createSchedule(schedule: NewSchedule, first: NewJob | null, mode: 'create' | 'replace'): Promise<ScheduleRecord> {
    if (!this.creates) throw new Error('PostgreSQL store is not open');
    const { value, signals } = await this.creates.create({ schedule, first, mode });
    this.emit(signals);
    return value;
  }

  async getSchedule(id: string): Promise<ScheduleRecord | null> {
    return schedules.getSchedule(this.database, id);
  }

  async getScheduleByName(name: string): Promise<ScheduleRecord | null> {
    return schedules.getScheduleByName(this.database, name);
  }

  async listSchedules(query: ScheduleQuery): Promise<Page<ScheduleRecord>> {
    return schedules.listSchedules(this.database, query);
  }

  async updateSchedule(id: string, update: ScheduleUpdate): Promise<ScheduleRecord | null> {
    const { value, signals } = await schedules.updateSchedule(this.database, id, update);
    this.emit(signals);
    return value;
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return schedules.deleteSchedule(this.database, id);
  }

  // ---- jobs

  async insertJobs(newJobs: readonly NewJob[]): Promise<void> {
    if (newJobs.length === 0) return;
    const inserts = this.inserts;
    if (!inserts) throw new Error('PostgreSQL store is not open');
    this.emit(await inserts.insert(newJobs));
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return jobs.getJob(this.database, id);
  }

  async listJobs(query: JobQuery): Promise<Page<JobRecord>> {
    return jobs.listJobs(this.database, query);
  }

  async cancelJob(id: string, reason: string | null, now: number, planNext: PlanNext): Promise<JobRecord | null> {
    const { job, signals } = await jobs.cancelJob(this.database, id, reason, now, planNext);
    this.emit(signals);
    return job;
  }

  async retryJob(id: string, now: number): Promise<JobRecord | null> {
    const { job, signals } = await jobs.retryJob(this.database, id, now);
    this.emit(signals);
    return job;
  }

  // ---- engine transitions

  async peekDueTimes(lane: Lane, until: number, limit: number): Promise<number[]> {
    return claims.peekDueTimes(this.database, lane, until, limit);
  }

  async claimDue(request: ClaimRequest): Promise<ClaimedJob[]> {
    const { jobs: claimed, signals } = await claims.claimDue(this.database, request);
    this.emit(signals);
    return claimed;
  }

  async extendLeases(owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
    return leases.extendLeases(this.database, owner, jobIds, until);
  }

  async recordOutcomes(batch: readonly JobOutcome[]): Promise<void> {
    if (batch.length === 0) return;
    this.emit(await outcomes.recordOutcomes(this.database, batch));
  }

  async releaseLeases(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    this.emit(await leases.releaseLeases(this.database, owner, jobIds, now));
  }

  async reapExpiredLeases(request: ReapRequest): Promise<ReapedJob[]> {
    const { reaped, signals } = await leases.reapExpiredLeases(this.database, request);
    this.emit(signals);
    return reaped;
  }

  async cancelRequested(jobIds: readonly string[]): Promise<string[]> {
    return leases.cancelRequested(this.database, jobIds);
  }

  async startJobs(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    await leases.startJobs(this.database, owner, jobIds, now);
  }

  // ---- queues, tasks, workers, stats

  async listQueues(): Promise<QueueInfo[]> {
    return platform.listQueues(this.database);
  }

  async setQueuePaused(name: string, paused: boolean, now: number): Promise<void> {
    await platform.setQueuePaused(this.database, name, paused, now);
    if (!paused) this.signals.emit(null);
  }

  async setQueueConcurrency(name: string, limit: number | null, now: number): Promise<void> {
    await platform.setQueueConcurrency(this.database, name, limit, now);
    this.signals.emit(null);
  }

  async clearQueue(name: string): Promise<number> {
    return platform.clearQueue(this.database, name);
  }

  async registerTasks(tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void> {
    await platform.registerTasks(this.database, tasks, now);
  }

  async listTasks(): Promise<TaskInfo[]> {
    return platform.listTasks(this.database);
  }

  async getTask(name: string, version?: string): Promise<TaskInfo | null> {
    return platform.getTask(this.database, name, version);
  }

  async saveWorker(worker: WorkerInfo): Promise<void> {
    await platform.saveWorker(this.database, worker);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return platform.listWorkers(this.database);
  }

  async jobStats(): Promise<JobStats> {
    return platform.jobStats(this.database);
  }

  async jobCounts(): Promise<JobCounts> {
    return jobCounts(this.database);
  }

  // ---- history, retention

  async listHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
    return jobs.listHistory(this.database, query);
  }

  async deleteFinishedJob(id: string): Promise<boolean> {
    return jobs.deleteFinishedJob(this.database, id);
  }

  async purgeFinished(before: number, limit: number): Promise<number> {
    return jobs.purgeFinished(this.database, before, limit);
  }

  // ---- notifications

  onDue(listener: (signal: DueSignal | null) => void): () => void {
    return this.signals.subscribe(listener);
  }
}

/**
 * The `Store` contract, implemented once over any backend's operations (see store-ops.ts):
 * open/close, the not-open guard (one STORE_UNAVAILABLE on every backend), the due signals
 * a write returns (emitted here, after the write committed, never from inside a backend),
 * the signals of queue changes, and the shortcuts for empty batches.
 */
import { chimeError } from '../core/errors.js';
import type { ClaimedJob, HistoryEntry, JobRecord, ScheduleRecord } from '../core/types.js';
import { DueSignals } from './due-signals.js';
import type { OpenBackend, StoreDriver, StoreOps } from './store-ops.js';
import type {
  ClaimRequest,
  DueSignal,
  HistoryQuery,
  JobCounts,
  JobOutcome,
  JobPage,
  JobQuery,
  JobStats,
  Lane,
  NewJob,
  NewSchedule,
  Page,
  PlanNext,
  QueueInfo,
  ReapedJob,
  ReapRequest,
  ScheduleCounts,
  ScheduleQuery,
  ScheduleUpdate,
  Store,
  StoreBackend,
  StoreHealth,
  TaskInfo,
  WorkerInfo,
} from './store.js';

const BACKEND_NAMES: Record<StoreBackend, string> = { sqlite: 'SQLite', postgres: 'PostgreSQL', redis: 'Redis' };

const NO_WARNINGS: readonly string[] = [];

/**
 * A `Store` over one backend. Backends subclass it only to name their options and add
 * diagnostics (`SqliteStore.database`); every contract method lives here.
 *
 * @example
 * class SqliteStore extends StoreAdapter<SqliteContext> {
 *   constructor(options: SqliteStoreOptions) { super(sqliteDriver(options)); }
 * }
 */
export class StoreAdapter<C> implements Store {
  readonly backend: StoreBackend;
  /** Present only where the backend has a server clock (see `Store.serverTime`). */
  readonly serverTime?: () => Promise<number>;
  private readonly ops: StoreOps<C>;
  private readonly signals = new DueSignals();
  private opened: OpenBackend<C> | undefined;
  private opening: Promise<void> | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly driver: StoreDriver<C>) {
    this.backend = driver.backend;
    this.ops = driver.ops;
    const serverTime = driver.ops.serverTime;
    if (serverTime) this.serverTime = () => serverTime(this.context);
  }

  /** Durability risks found at open (Redis: appendonly off, an evicting maxmemory-policy). */
  get warnings(): readonly string[] {
    return this.opened?.warnings ?? NO_WARNINGS;
  }

  open(): Promise<void> {
    this.opening ??= this.driver.open(this.signals).then(
      (opened) => {
        this.opened = opened;
      },
      (error: unknown) => {
        this.opening = undefined;
        throw error;
      },
    );
    return this.opening;
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.opening?.catch(() => undefined);
      const opened = this.opened;
      this.opened = undefined;
      this.signals.clear();
      try {
        await opened?.close();
      } finally {
        this.opening = undefined;
        this.closing = undefined;
      }
    })();
    return this.closing;
  }

  async health(): Promise<StoreHealth> {
    if (!this.opened) return { ok: false, backend: this.backend, detail: 'closed' };
    return { ...(await this.opened.health()), backend: this.backend };
  }

  /** The open backend's context; STORE_UNAVAILABLE when the store is not open. */
  protected get context(): C {
    if (!this.opened) throw chimeError('STORE_NOT_OPEN', { backend: BACKEND_NAMES[this.backend] });
    return this.opened.context;
  }

  private emit<T>(written: { value: T; signals: readonly DueSignal[] }): T {
    this.emitAll(written.signals);
    return written.value;
  }

  private emitAll(signals: readonly DueSignal[]): void {
    for (const signal of signals) this.signals.emit(signal);
  }

  // ---- schedules

  async createSchedule(schedule: NewSchedule, first: NewJob | null, mode: 'create' | 'replace'): Promise<ScheduleRecord> {
    return this.emit(await this.ops.createSchedule(this.context, schedule, first, mode));
  }

  async getSchedule(id: string): Promise<ScheduleRecord | null> {
    return this.ops.getSchedule(this.context, id);
  }

  async getScheduleByName(name: string): Promise<ScheduleRecord | null> {
    return this.ops.getScheduleByName(this.context, name);
  }

  async listSchedules(query: ScheduleQuery): Promise<Page<ScheduleRecord>> {
    return this.ops.listSchedules(this.context, query);
  }

  async updateSchedule(id: string, update: ScheduleUpdate): Promise<ScheduleRecord | null> {
    return this.emit(await this.ops.updateSchedule(this.context, id, update));
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.ops.deleteSchedule(this.context, id);
  }

  // ---- jobs

  async insertJobs(jobs: readonly NewJob[]): Promise<void> {
    if (jobs.length === 0) return;
    this.emitAll(await this.ops.insertJobs(this.context, jobs));
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return this.ops.getJob(this.context, id);
  }

  async listJobs(query: JobQuery): Promise<JobPage> {
    return this.ops.listJobs(this.context, query);
  }

  async cancelJob(id: string, reason: string | null, now: number, planNext: PlanNext): Promise<JobRecord | null> {
    return this.emit(await this.ops.cancelJob(this.context, id, reason, now, planNext));
  }

  async retryJob(id: string, now: number): Promise<JobRecord | null> {
    return this.emit(await this.ops.retryJob(this.context, id, now));
  }

  // ---- the engine's transitions

  async peekDueTimes(lane: Lane, until: number, limit: number, after?: number): Promise<number[]> {
    if (limit <= 0 || (lane.target === 'task' && lane.queues.length === 0)) return [];
    return this.ops.peekDueTimes(this.context, lane, until, limit, after);
  }

  async claimDue(request: ClaimRequest): Promise<ClaimedJob[]> {
    return this.emit(await this.ops.claimDue(this.context, request));
  }

  async extendLeases(owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
    if (jobIds.length === 0) return [];
    return this.ops.extendLeases(this.context, owner, jobIds, until);
  }

  async recordOutcomes(outcomes: readonly JobOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    this.emitAll(await this.ops.recordOutcomes(this.context, outcomes));
  }

  async releaseLeases(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    if (jobIds.length === 0) return;
    this.emitAll(await this.ops.releaseLeases(this.context, owner, jobIds, now));
  }

  async reapExpiredLeases(request: ReapRequest): Promise<ReapedJob[]> {
    return this.emit(await this.ops.reapExpiredLeases(this.context, request));
  }

  async cancelRequested(jobIds: readonly string[]): Promise<string[]> {
    if (jobIds.length === 0) return [];
    return this.ops.cancelRequested(this.context, jobIds);
  }

  async startJobs(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    if (jobIds.length === 0) return;
    await this.ops.startJobs(this.context, owner, jobIds, now);
  }

  // ---- queues, tasks, workers, stats

  async listQueues(): Promise<QueueInfo[]> {
    return this.ops.listQueues(this.context);
  }

  async setQueuePaused(name: string, paused: boolean, now: number): Promise<void> {
    await this.ops.setQueuePaused(this.context, name, paused, now);
    // A resumed queue's jobs are due again; the backend told other nodes the same.
    if (!paused) this.signals.emit(null);
  }

  async setQueueConcurrency(name: string, limit: number | null, now: number): Promise<void> {
    await this.ops.setQueueConcurrency(this.context, name, limit, now);
    this.signals.emit(null);
  }

  async clearQueue(name: string): Promise<number> {
    return this.ops.clearQueue(this.context, name);
  }

  async registerTasks(tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void> {
    if (tasks.length === 0) return;
    await this.ops.registerTasks(this.context, tasks, now);
  }

  async listTasks(): Promise<TaskInfo[]> {
    return this.ops.listTasks(this.context);
  }

  async getTask(name: string, version?: string): Promise<TaskInfo | null> {
    return this.ops.getTask(this.context, name, version);
  }

  async saveWorker(worker: WorkerInfo): Promise<void> {
    await this.ops.saveWorker(this.context, worker);
  }

  async listWorkers(): Promise<WorkerInfo[]> {
    return this.ops.listWorkers(this.context);
  }

  async jobStats(): Promise<JobStats> {
    return this.ops.jobStats(this.context);
  }

  async jobCounts(): Promise<JobCounts> {
    return this.ops.jobCounts(this.context);
  }

  async callbackScheduleCounts(): Promise<ScheduleCounts> {
    return this.ops.callbackScheduleCounts(this.context);
  }

  // ---- history, retention

  async listHistory(query: HistoryQuery): Promise<HistoryEntry[]> {
    return this.ops.listHistory(this.context, query);
  }

  async deleteFinishedJob(id: string): Promise<boolean> {
    return this.ops.deleteFinishedJob(this.context, id);
  }

  async purgeFinished(before: number, limit: number): Promise<number> {
    return this.ops.purgeFinished(this.context, before, limit);
  }

  // ---- notifications

  onDue(listener: (signal: DueSignal | null) => void): () => void {
    return this.signals.subscribe(listener);
  }
}

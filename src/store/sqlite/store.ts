import { closeSync, mkdirSync, openSync, watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import Database from 'better-sqlite3';
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
import { WalCheckpointer } from './checkpointer.js';
import { SqliteContext } from './context.js';
import * as jobs from './jobs.js';
import { migrate } from './migrate.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';
import * as transitions from './transitions.js';
import { jobCounts } from './job-counts.js';

/**
 * When checkpoints run in commits after all: every 40 MB rather than SQLite's 4 MB of writes
 * (measured: bulk inserts 1.5x faster), at the cost of a larger WAL file.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface SqliteStoreOptions {
  /** Path of the database file (created with its folder if missing), or ':memory:'. */
  path: string;
  /**
   * Another process's writes to the file (a job added by `chime serve` for a `chime worker`
   * sharing it) are noticed at once through a file-system watch on the database's folder;
   * this poll is the fallback where watches miss events. A check is one
   * `PRAGMA data_version` (about a microsecond).
   * @default 100
   */
  pollIntervalMs?: number;
  /**
   * `normal`: a committed job survives a crash of the process (kill -9); `full`: it also
   * survives power loss or an OS crash, at a cost of an fsync per commit.
   * @default 'normal'
   */
  synchronous?: 'normal' | 'full';
  /** How often the checkpoint worker copies the WAL back into the database, ms (default 1000). */
  checkpointEveryMs?: number;
  /** How long a writer waits for another process's write lock (ms). @default 5000 */
  busyTimeoutMs?: number;
  /** SQLite page cache (MiB). @default 32 */
  cacheMiB?: number;
}

/** The embedded default store: one SQLite file in WAL mode, shared by local processes. */
export class SqliteStore implements Store {
  readonly backend = 'sqlite' as const;
  private ctx: SqliteContext | undefined;
  private readonly signals = new DueSignals();
  private poller: NodeJS.Timeout | undefined;
  private watcher: FSWatcher | undefined;
  private checkpointer: WalCheckpointer | undefined;
  private checkQueued = false;
  private dataVersion = 0;

  constructor(private readonly options: SqliteStoreOptions) {}

  async open(): Promise<void> {
    if (this.ctx) return;
    const { path } = this.options;
    if (path !== ':memory:') createPrivateFile(path);
    const db = new Database(path);
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${this.options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma(`busy_timeout = ${this.options.busyTimeoutMs ?? 5000}`);
    db.pragma(`cache_size = -${(this.options.cacheMiB ?? 32) * 1024}`);
    db.pragma('temp_store = MEMORY');
    migrate(db, Date.now());
    this.ctx = new SqliteContext(db);
    if (path !== ':memory:') this.startCheckpointer(db, path);
    this.dataVersion = this.readDataVersion();
    this.poller = setInterval(() => this.checkForeignWrites(), this.options.pollIntervalMs ?? 100);
    this.poller.unref();
    if (path !== ':memory:') this.watchFile(path);
  }

  /**
   * Checkpoints move to a worker thread (see checkpointer.ts): a checkpoint in a commit on the
   * event loop stalled firing by ~30 ms every few seconds. Should the worker fail, the
   * connection checkpoints by itself again rather than let the WAL grow without bound.
   */
  private startCheckpointer(db: Database.Database, path: string): void {
    db.pragma('wal_autocheckpoint = 0');
    this.checkpointer = WalCheckpointer.start(path, this.options.checkpointEveryMs ?? 1000, (message) => {
      if (db.open) db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      process.emitWarning(`SQLite checkpoint worker failed (${message}); checkpointing on the main thread instead`);
    });
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    this.checkpointer = undefined;
    if (this.poller) clearInterval(this.poller);
    this.poller = undefined;
    this.watcher?.close();
    this.watcher = undefined;
    this.signals.clear();
    this.ctx?.db.close();
    this.ctx = undefined;
  }

  async health(): Promise<StoreHealth> {
    if (!this.ctx) return { ok: false, backend: 'sqlite', detail: 'closed' };
    this.ctx.db.prepare('SELECT 1').get();
    return { ok: true, backend: 'sqlite' };
  }

  /** The raw connection, for benchmarks and diagnostics only. */
  get database(): Database.Database {
    return this.context.db;
  }

  private get context(): SqliteContext {
    if (!this.ctx) throw new Error('SQLite store is not open');
    return this.ctx;
  }

  private readDataVersion(): number {
    return this.context.db.pragma('data_version', { simple: true }) as number;
  }

  /**
   * Every commit, ours or a peer's, appends to the `-wal` file; the watch turns that into a
   * data_version check on the next turn (one per turn however many events arrive).
   */
  private watchFile(path: string): void {
    const prefix = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (this.checkQueued || (file !== null && !file.startsWith(prefix))) return;
        this.checkQueued = true;
        setImmediate(() => {
          this.checkQueued = false;
          this.checkForeignWrites();
        });
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch on this file system: the poll alone notices peers' writes.
    }
  }

  /** data_version changes only when another connection commits: a write by a peer process. */
  private checkForeignWrites(): void {
    if (!this.ctx || !this.signals.hasListeners) return;
    const version = this.readDataVersion();
    if (version !== this.dataVersion) {
      this.dataVersion = version;
      this.signals.emit(null);
    }
  }

  private emit(signals: readonly DueSignal[]): void {
    for (const signal of signals) this.signals.emit(signal);
  }

  // ---- schedules

  async createSchedule(schedule: NewSchedule, first: NewJob | null, mode: 'create' | 'replace'): Promise<ScheduleRecord> {
    const record = await this.context.groupWrite(() => schedules.createSchedule(this.context, schedule, first, mode));
    if (first) this.emit(jobs.dueSignals([first]));
    return record;
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
    const record = await this.context.groupWrite(() => schedules.updateSchedule(this.context, id, update));
    if (record && update.nextOccurrence) this.emit(jobs.dueSignals([update.nextOccurrence]));
    return record;
  }

  async deleteSchedule(id: string): Promise<boolean> {
    return this.context.groupWrite(() => schedules.deleteSchedule(this.context, id));
  }

  // ---- jobs

  async insertJobs(newJobs: readonly NewJob[]): Promise<void> {
    if (newJobs.length === 0) return;
    this.emit(await this.context.groupWrite(() => jobs.insertJobs(this.context, newJobs)));
  }

  async getJob(id: string): Promise<JobRecord | null> {
    return jobs.getJob(this.context, id);
  }

  async listJobs(query: JobQuery): Promise<Page<JobRecord>> {
    return jobs.listJobs(this.context, query);
  }

  async cancelJob(id: string, reason: string | null, now: number, planNext: PlanNext): Promise<JobRecord | null> {
    const { job, signals } = await this.context.groupWrite(() => jobs.cancelJob(this.context, id, reason, now, planNext));
    this.emit(signals);
    return job;
  }

  async retryJob(id: string, now: number): Promise<JobRecord | null> {
    const { job, signals } = await this.context.groupWrite(() => jobs.retryJob(this.context, id, now));
    this.emit(signals);
    return job;
  }

  // ---- engine transitions

  async peekDueTimes(lane: Lane, until: number, limit: number): Promise<number[]> {
    return transitions.peekDueTimes(this.context, lane, until, limit);
  }

  async claimDue(request: ClaimRequest): Promise<ClaimedJob[]> {
    const { jobs: claimed, signals } = transitions.claimDue(this.context, request);
    this.emit(signals);
    return claimed;
  }

  async extendLeases(owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
    return transitions.extendLeases(this.context, owner, jobIds, until);
  }

  async recordOutcomes(outcomes: readonly JobOutcome[]): Promise<void> {
    if (outcomes.length === 0) return;
    this.emit(transitions.recordOutcomes(this.context, outcomes));
  }

  async releaseLeases(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    this.emit(transitions.releaseLeases(this.context, owner, jobIds, now));
  }

  async reapExpiredLeases(request: ReapRequest): Promise<ReapedJob[]> {
    const { reaped, signals } = transitions.reapExpiredLeases(this.context, request);
    this.emit(signals);
    return reaped;
  }

  async cancelRequested(jobIds: readonly string[]): Promise<string[]> {
    return transitions.cancelRequested(this.context, jobIds);
  }

  async startJobs(owner: string, jobIds: readonly string[], now: number): Promise<void> {
    transitions.startJobs(this.context, owner, jobIds, now);
  }

  // ---- queues, tasks, workers, stats

  async listQueues(): Promise<QueueInfo[]> {
    return platform.listQueues(this.context);
  }

  async setQueuePaused(name: string, paused: boolean, now: number): Promise<void> {
    platform.setQueuePaused(this.context, name, paused, now);
    if (!paused) this.signals.emit(null);
  }

  async setQueueConcurrency(name: string, limit: number | null, now: number): Promise<void> {
    platform.setQueueConcurrency(this.context, name, limit, now);
    this.signals.emit(null);
  }

  async clearQueue(name: string): Promise<number> {
    return platform.clearQueue(this.context, name);
  }

  async registerTasks(tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void> {
    platform.registerTasks(this.context, tasks, now);
  }

  async listTasks(): Promise<TaskInfo[]> {
    return platform.listTasks(this.context);
  }

  async getTask(name: string, version?: string): Promise<TaskInfo | null> {
    return platform.getTask(this.context, name, version);
  }

  async saveWorker(worker: WorkerInfo): Promise<void> {
    platform.saveWorker(this.context, worker);
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

/**
 * Creates the database file (and its folder) readable by this user only, 0600 and 0700:
 * it holds every job's payload. SQLite gives the -wal and -shm files the mode of the
 * database file. An existing file keeps the mode its owner gave it.
 */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/**
 * The storage contract, in domain words. Every backend (sqlite/, postgres/, redis/) implements
 * it and passes the one contract suite in test/store/contract.ts. No driver, connection or
 * transaction type appears here.
 *
 * Rules every backend keeps:
 * - Each transition below is atomic: one statement, one transaction, or one Lua script.
 * - "Already fired" and "already exists" are decided by unique keys in storage
 *   (jobs by id; occurrences by (schedule_id, occurrence); Dapr names by name). A v1
 *   schedule's name, which has no unique index, is checked under the backend's write lock:
 *   the write transaction (SQLite), an advisory lock on the name (PostgreSQL), the script (Redis).
 * - Transitions on a leased job are fenced by the lease owner: a worker that lost its lease
 *   cannot complete a job someone else now holds.
 */
import type {
  AttemptOutcome,
  ClaimedJob,
  Dialect,
  HistoryEntry,
  JobErrorInfo,
  JobRecord,
  JobStatus,
  JobTarget,
  Priority,
  ScheduleRecord,
  ScheduleStatus,
} from '../core/types.js';
import type { JobCounts, JobStats, QueueInfo, ScheduleCounts, TaskInfo, WorkerInfo } from './platform-types.js';

export type { JobCounts, JobStats, QueueInfo, ScheduleCounts, StatusCounts, TaskInfo, WorkerInfo } from './platform-types.js';

export type StoreBackend = 'sqlite' | 'postgres' | 'redis';

/** A job to insert. The store fills in status, attempts, lease and the timestamps it owns. */
export interface NewJob extends Omit<
  JobRecord,
  | 'status'
  | 'attempts'
  | 'leaseOwner'
  | 'leaseUntil'
  | 'workerId'
  | 'startedAt'
  | 'completedAt'
  | 'result'
  | 'error'
  | 'cancelRequested'
> {}

export type NewSchedule = Omit<ScheduleRecord, 'fireCount' | 'lastOccurrence' | 'lastRunAt'>;

/** Which jobs a claimer can run. */
export type Lane =
  | { target: 'callback' }
  /** Tasks from these queues whose task name is one of `tasks` (the worker's registry). */
  | { target: 'task'; queues: readonly string[]; tasks: readonly string[] };

/** The schedule state the engine needs to plan the occurrence after a fired one. */
export type ScheduleCursor = Pick<
  ScheduleRecord,
  'id' | 'recurrence' | 'startAt' | 'expiresAt' | 'repeats' | 'missedFire' | 'fireCount' | 'status' | 'createdAt'
>;

/**
 * Decided by the engine (it owns the schedule maths) while the store holds the claim open.
 * `deliver: false` skips this occurrence (missed-fire policy `skip`); it is not counted as a
 * firing. `next`: the occurrence to materialise, or null when the schedule is done.
 */
export interface OccurrencePlan {
  deliver: boolean;
  next: number | null;
}

export type PlanNext = (schedule: ScheduleCursor, occurrence: number, now: number) => OccurrencePlan;

export interface ClaimRequest {
  lane: Lane;
  /**
   * Claim jobs due up to this instant (≥ now; default now), so the caller can hold them and
   * start each exactly when it falls due: the claim's own latency is then off the firing's
   * critical path. Where the store caps "now" at its server's clock, `dueBy` moves back by
   * the same amount.
   */
  dueBy?: number;
  /**
   * `running` (default): the claimer starts the jobs now. `reserved`: it holds them to start
   * shortly (prefetch) and calls startJobs when it does.
   */
  as?: 'running' | 'reserved';
  now: number;
  limit: number;
  owner: string;
  leaseMs: number;
  /**
   * Called for each claimed job that belongs to an active schedule and whose occurrence has
   * not been advanced past yet (first attempt). The store then, in the same atomic step,
   * counts the firing, records `last_run_at`, and inserts the next occurrence (or marks the
   * schedule finished).
   */
  planNext: PlanNext;
}

/** The result of one attempt, handed back by the engine in batches. */
export interface JobOutcome {
  jobId: string;
  /** The lease owner that ran it; outcomes from a lost lease are ignored. */
  owner: string;
  /** The job's new status: completed, failed, timeout or cancelled end it; retrying re-queues. */
  status: Extract<JobStatus, 'completed' | 'failed' | 'timeout' | 'cancelled' | 'retrying'>;
  /** For `retrying`: when the next attempt may run. */
  retryAt?: number;
  /**
   * When the attempt started, for a job claimed `reserved` whose start was not written yet:
   * it becomes the job's started_at (an existing started_at is kept).
   */
  startedAt?: number;
  result?: string | null;
  error?: JobErrorInfo | null;
  finishedAt: number;
  /**
   * The history entry for this attempt; absent: none is written (a task's successful attempt,
   * which the job row itself records: started, completed, duration, worker, result).
   */
  attempt?: {
    outcome: AttemptOutcome;
    firedAt: number;
    durationMs: number;
    httpStatus: number | null;
    error: string | null;
    /** The first bytes of the app's answer. */
    response?: string | null;
  };
}

export interface ReapRequest {
  now: number;
  limit: number;
  /**
   * Also take back leases that have not run out yet, when their holder is known dead: those
   * of `owners` (a restarted node's own leases from its previous life), or all but those of
   * `allExcept` (a SQLite file's owner at start: the only other holders are live workers).
   */
  takeBack?: { owners: readonly string[] } | { allExcept: readonly string[] };
}

/** A job taken back from a dead lease. */
export interface ReapedJob {
  jobId: string;
  previousOwner: string | null;
  /** pending (another attempt allowed), failed (retries spent) or cancelled (a cancel was pending). */
  status: Extract<JobStatus, 'pending' | 'failed' | 'cancelled'>;
}

export type SortDirection = 'asc' | 'desc';
export type JobOrderField = 'created_at' | 'scheduled_at' | 'run_at' | 'priority' | 'status' | 'started_at' | 'completed_at';

export interface JobQuery {
  target?: JobTarget;
  /** The API the jobs were created through: `/api/v1` jobs run on either lane. */
  dialect?: Dialect;
  scheduleId?: string;
  name?: string;
  queue?: string;
  statuses?: readonly JobStatus[];
  priority?: Priority;
  /** Jobs carrying every one of these tags. */
  tags?: readonly string[];
  workerId?: string;
  limit: number;
  offset: number;
  orderBy: JobOrderField;
  orderDir: SortDirection;
  /**
   * Keyset paging: only rows strictly after this position in the list's order (a previous
   * page's `next`), so a deep page costs what the first does. Use with offset 0.
   */
  after?: JobKeyset;
  /** Leave `total` null: counting every match is a scan, which keyset paging avoids. */
  skipTotal?: boolean;
}

/**
 * A position in a jobs list: the last row's sort value (`JobQuery.orderBy`'s column as the
 * store holds it; priority as its rank) and the store's own tie-breaker (SQLite's rowid, the
 * job id elsewhere). Only the store that made it reads it.
 */
export interface JobKeyset {
  value: string | number | null;
  tie: string | number;
}

export interface Page<T> {
  items: T[];
  /** Matching rows in all pages; null when the query did not ask (counting costs a scan). */
  total: number | null;
}

export interface JobPage extends Page<JobRecord> {
  /** Where the next page starts (`JobQuery.after`); null when this page was the last (not full). */
  next: JobKeyset | null;
}

export interface ScheduleQuery {
  /** Dapr names starting with this text (keyset pagination stays on the name index). */
  namePrefix?: string;
  dialects?: readonly Dialect[];
  statuses?: readonly ScheduleStatus[];
  tags?: readonly string[];
  /** Keyset cursor: names strictly greater than this (Dapr listing). */
  afterName?: string;
  limit: number;
  offset?: number;
  countTotal?: boolean;
}

export interface HistoryQuery {
  scheduleId?: string;
  jobId?: string;
  limit: number;
  /** Entries with id strictly below this (newest first paging). */
  beforeId?: number;
}

export interface ScheduleUpdate {
  status?: ScheduleStatus;
  patch?: Partial<Pick<ScheduleRecord, 'name' | 'recurrence' | 'startAt' | 'expiresAt' | 'repeats' | 'missedFire' | 'template' | 'source' | 'nextRunAt'>>;
  /**
   * The waiting occurrence is replaced by this one (null: none is waiting, e.g. paused).
   * Running occurrences are left to finish.
   */
  nextOccurrence: NewJob | null;
  updatedAt: number;
}

export interface StoreHealth {
  ok: boolean;
  backend: StoreBackend;
  detail?: string;
}

/** "Something new may be due": a job became claimable at `runAt` in this lane's target. */
export interface DueSignal {
  target: JobTarget;
  queue: string;
  /** The earliest run time the write made due in this lane. */
  runAt: number;
  /**
   * The write also made jobs due later than `runAt` in this lane (a batch): the listener
   * should re-read the due times once it has used this one. A signal carries one time, so
   * a bulk insert of a thousand future jobs stays one message.
   */
  more?: boolean;
}

export interface Store {
  readonly backend: StoreBackend;
  /**
   * Durability risks found at open, for the operator's log (Redis: `appendonly no`, an
   * evicting `maxmemory-policy`). Empty when there are none or before `open`.
   */
  readonly warnings: readonly string[];

  /** Connects and runs pending migrations (safe from several nodes at once). */
  open(): Promise<void>;
  /** Releases connections and listeners. Idempotent. */
  close(): Promise<void>;
  health(): Promise<StoreHealth>;
  /**
   * The store server's clock (epoch ms, with a fraction where the server reads finer), for
   * backends that have one (PostgreSQL, Redis).
   * Nodes align their timers to it (`runtime/store-clock.ts`): skew between machines never
   * fires twice (claims are atomic), and fires early only where the clocks differ by less than
   * a round trip can show, by less than one round trip (docs/architecture.md, "Clock skew").
   * SQLite, on one machine, has none.
   */
  serverTime?(): Promise<number>;

  // ---- schedules (named Dapr jobs and v1 schedules)

  /**
   * Inserts a schedule and its first occurrence in one step.
   * `mode: 'create'` fails with JOB_EXISTS if an active callback schedule has the name;
   * a finished one (completed, expired, failed) is replaced. `mode: 'replace'` (Dapr
   * `overwrite`) replaces any schedule of that name and its waiting occurrences.
   * A `v1` schedule's name is also unique among v1 schedules (no unique index: duplicates
   * older versions stored stay): either mode fails with SCHEDULE_EXISTS if another v1
   * schedule has it, decided atomically, also against other nodes creating it at once.
   */
  createSchedule(schedule: NewSchedule, first: NewJob | null, mode: 'create' | 'replace'): Promise<ScheduleRecord>;
  getSchedule(id: string): Promise<ScheduleRecord | null>;
  /** The callback (Dapr) schedule with this name. */
  getScheduleByName(name: string): Promise<ScheduleRecord | null>;
  listSchedules(query: ScheduleQuery): Promise<Page<ScheduleRecord>>;
  /**
   * Changes status/definition and swaps the waiting occurrence, atomically. null if missing.
   * Renaming a v1 schedule to a name another v1 schedule has fails with SCHEDULE_EXISTS.
   */
  updateSchedule(id: string, update: ScheduleUpdate): Promise<ScheduleRecord | null>;
  /** Deletes the schedule and its waiting occurrences; running ones finish. false if missing. */
  deleteSchedule(id: string): Promise<boolean>;

  // ---- jobs

  /** Inserts jobs atomically (all or none). Fails with JOB_EXISTS on a duplicate id. */
  insertJobs(jobs: readonly NewJob[]): Promise<void>;
  getJob(id: string): Promise<JobRecord | null>;
  listJobs(query: JobQuery): Promise<JobPage>;
  /**
   * pending/retrying → cancelled at once; reserved/running → flagged `cancelRequested`
   * (the runner aborts it and reports `cancelled`). Returns the job after the change, or
   * null if missing. Fails with INVALID_STATE for a finished job. Cancelling a waiting
   * occurrence of a schedule materialises the schedule's next one (via `planNext`), so a
   * schedule outlives one cancelled run.
   */
  cancelJob(id: string, reason: string | null, now: number, planNext: PlanNext): Promise<JobRecord | null>;
  /** failed/timeout/cancelled → pending at `now` with a fresh attempt budget. INVALID_STATE otherwise. */
  retryJob(id: string, now: number): Promise<JobRecord | null>;

  // ---- the engine's transitions

  /**
   * Earliest run times of claimable jobs in the lane (paused queues excluded), up to `until`,
   * ascending; only those later than `after` when it is given.
   */
  peekDueTimes(lane: Lane, until: number, limit: number, after?: number): Promise<number[]>;
  /**
   * Claims up to `limit` due jobs (priority, then run time), leasing them to `owner`. Jobs of
   * paused queues are not claimed, and a queue's concurrency limit counts its reserved and
   * running jobs across all claimers.
   */
  claimDue(request: ClaimRequest): Promise<ClaimedJob[]>;
  /** Pushes lease expiry out for jobs `owner` still holds; returns the ids it still holds. */
  extendLeases(owner: string, jobIds: readonly string[], until: number): Promise<string[]>;
  /** Records outcomes (and their history entries) in one step. */
  recordOutcomes(outcomes: readonly JobOutcome[]): Promise<void>;
  /**
   * Hands jobs `owner` holds back unrun (graceful shutdown): they wait again at `now`, and
   * the attempt is not counted.
   */
  releaseLeases(owner: string, jobIds: readonly string[], now: number): Promise<void>;
  /** Returns jobs whose lease ran out to pending (or failed when retries are spent). */
  reapExpiredLeases(request: ReapRequest): Promise<ReapedJob[]>;
  /** Ids among `jobIds` that have a cancel request pending. */
  cancelRequested(jobIds: readonly string[]): Promise<string[]>;

  /** Marks claimed (reserved) jobs as running from `now`. */
  startJobs(owner: string, jobIds: readonly string[], now: number): Promise<void>;

  // ---- queues, tasks, workers, stats (the job platform)

  /** Every queue with settings, waiting or running jobs, or registered tasks (not the internal callback queue). */
  listQueues(): Promise<QueueInfo[]>;
  /** A paused queue keeps its jobs; nothing is claimed from it until it resumes. */
  setQueuePaused(name: string, paused: boolean, now: number): Promise<void>;
  /** null removes the limit. */
  setQueueConcurrency(name: string, limit: number | null, now: number): Promise<void>;
  /**
   * Deletes the queue's waiting (pending, retrying) jobs, except schedules' next occurrences
   * (that would stop the schedule; pause it instead); returns how many.
   */
  clearQueue(name: string): Promise<number>;
  /** Upserts each task by (name, version) and stamps it as seen now. */
  registerTasks(tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void>;
  listTasks(): Promise<TaskInfo[]>;
  /** One version, or the most recently registered version when none is given. */
  getTask(name: string, version?: string): Promise<TaskInfo | null>;
  /** Upserts the worker's row (its heartbeat). */
  saveWorker(worker: WorkerInfo): Promise<void>;
  listWorkers(): Promise<WorkerInfo[]>;
  /** Counters over task jobs (the job platform's `/api/v1/jobs/stats`). */
  jobStats(): Promise<JobStats>;
  /** Walks only the live-job and dead-letter indexes, never the finished jobs (metrics read it). */
  jobCounts(): Promise<JobCounts>;
  /**
   * Callback (Dapr-style) schedules by status, counted as `jobStats` counts: over an index
   * (SQL: the partial (status, name) index, index-only; Redis: the name index in chunks), never
   * the jobs. O(callback schedules), so callers cache it (the overview keeps it 10 s).
   */
  callbackScheduleCounts(): Promise<ScheduleCounts>;

  // ---- history, retention

  listHistory(query: HistoryQuery): Promise<HistoryEntry[]>;
  /** Deletes one finished job (completed, failed, timeout, cancelled) and its history; false if missing or not finished. */
  deleteFinishedJob(id: string): Promise<boolean>;
  /**
   * Deletes finished jobs (and their history) finished before `before`, and finished
   * schedules updated before it. Returns how many jobs went.
   */
  purgeFinished(before: number, limit: number): Promise<number>;

  // ---- notifications

  /**
   * Subscribes to "something new may be due" from this and other nodes. A `null` signal
   * means "something changed, details unknown" (e.g. another process wrote to the SQLite
   * file): re-read the due times.
   */
  onDue(listener: (signal: DueSignal | null) => void): () => void;
}

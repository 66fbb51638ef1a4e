/** The job platform's queues, tasks, workers and statistics on PostgreSQL. */
import { CALLBACK_QUEUE, type JobStatus } from '../../core/types.js';
import type { JobStats, QueueInfo, TaskInfo, WorkerInfo } from '../store.js';
import type { PgDatabase } from './context.js';
import { encodeSignal } from './due-channel.js';
import { taskFromRow, type TaskRow } from '../sql-rows.js';
import { addJobCount, emptyJobStats } from '../job-stats.js';

interface QueueRow {
  name: string;
  paused: boolean;
  concurrency: number | null;
  size: number;
  running: number;
}

export async function listQueues(db: PgDatabase): Promise<QueueInfo[]> {
  const rows = await db.query<QueueRow>(
    `WITH waiting AS (
      SELECT queue, count(*) AS n FROM ${db.s}.jobs WHERE status IN ('pending', 'retrying') GROUP BY queue
    ),
    claimed AS (
      SELECT queue, count(*) AS n FROM ${db.s}.jobs WHERE status IN ('reserved', 'running') GROUP BY queue
    ),
    names AS (
      SELECT name FROM ${db.s}.queues UNION SELECT queue FROM ${db.s}.tasks
      UNION SELECT queue FROM waiting UNION SELECT queue FROM claimed
    )
    SELECT names.name, COALESCE(q.paused, false) AS paused, q.concurrency,
      COALESCE(waiting.n, 0) AS size, COALESCE(claimed.n, 0) AS running
    FROM names LEFT JOIN ${db.s}.queues q ON q.name = names.name
      LEFT JOIN waiting ON waiting.queue = names.name LEFT JOIN claimed ON claimed.queue = names.name
    WHERE names.name <> $1`,
    [CALLBACK_QUEUE],
  );
  return rows
    .map((row) => ({ name: row.name, size: row.size, running: row.running, isPaused: row.paused, concurrency: row.concurrency }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/**
 * Resuming a queue, or changing its limit, NOTIFYs "re-read" (a payload without a target):
 * its waiting jobs may be due on any node.
 */
export async function setQueuePaused(db: PgDatabase, name: string, paused: boolean, now: number): Promise<void> {
  await db.query(
    `WITH saved AS (
      INSERT INTO ${db.s}.queues (name, paused, concurrency, updated_at) VALUES ($1, $2, NULL, $3)
      ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at
      RETURNING paused
    )
    SELECT pg_notify($4, $5) FROM saved WHERE NOT saved.paused`,
    [name, paused, now, db.channel, encodeSignal(null, db.origin)],
  );
}

export async function setQueueConcurrency(db: PgDatabase, name: string, limit: number | null, now: number): Promise<void> {
  await db.query(
    `WITH saved AS (
      INSERT INTO ${db.s}.queues (name, paused, concurrency, updated_at) VALUES ($1, false, $2, $3)
      ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at
      RETURNING name
    )
    SELECT pg_notify($4, $5) FROM saved`,
    [name, limit, now, db.channel, encodeSignal(null, db.origin)],
  );
}

export async function clearQueue(db: PgDatabase, name: string): Promise<number> {
  const [row] = await db.query<{ n: number }>(
    `WITH cleared AS (
      DELETE FROM ${db.s}.jobs WHERE queue = $1 AND status IN ('pending', 'retrying') AND schedule_id IS NULL RETURNING 1
    )
    SELECT count(*) AS n FROM cleared`,
    [name],
  );
  return row?.n ?? 0;
}

const TASK_COLUMNS = 'name, version, description, queue, timeout_ms, max_retries, retry_delay_ms, is_async, registered_at, last_seen_at';

export async function registerTasks(db: PgDatabase, tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): Promise<void> {
  if (tasks.length === 0) return;
  // One row per (name, version): ON CONFLICT cannot touch a row twice in one statement.
  const unique = [...new Map(tasks.map((t) => [`${t.name}\u0000${t.version}`, t])).values()];
  const values = unique.map((t) => ({
    name: t.name,
    version: t.version,
    description: t.description,
    queue: t.queue,
    timeout_ms: t.timeoutMs,
    max_retries: t.maxRetries,
    retry_delay_ms: t.retryDelayMs,
    is_async: t.isAsync,
  }));
  await db.query(
    `INSERT INTO ${db.s}.tasks (${TASK_COLUMNS})
     SELECT name, version, description, queue, timeout_ms, max_retries, retry_delay_ms, is_async, $2, $2
     FROM json_to_recordset($1::json) AS t(name text, version text, description text, queue text, timeout_ms bigint,
       max_retries bigint, retry_delay_ms bigint, is_async boolean)
     ON CONFLICT (name, version) DO UPDATE SET description = excluded.description, queue = excluded.queue,
       timeout_ms = excluded.timeout_ms, max_retries = excluded.max_retries, retry_delay_ms = excluded.retry_delay_ms,
       is_async = excluded.is_async, last_seen_at = excluded.last_seen_at`,
    [JSON.stringify(values), now],
  );
}

export async function listTasks(db: PgDatabase): Promise<TaskInfo[]> {
  const rows = await db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${db.s}.tasks ORDER BY name, registered_at`);
  return rows.map(taskFromRow);
}

export async function getTask(db: PgDatabase, name: string, version?: string): Promise<TaskInfo | null> {
  const [row] =
    version === undefined
      ? await db.query<TaskRow>(
          `SELECT ${TASK_COLUMNS} FROM ${db.s}.tasks WHERE name = $1 ORDER BY registered_at DESC, version DESC LIMIT 1`,
          [name],
        )
      : await db.query<TaskRow>(`SELECT ${TASK_COLUMNS} FROM ${db.s}.tasks WHERE name = $1 AND version = $2`, [name, version]);
  return row ? taskFromRow(row) : null;
}

interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  queues: string[];
  tasks: string[];
  concurrency: number;
  started_at: number;
  last_seen_at: number;
  status: 'active' | 'stopped';
}

export async function saveWorker(db: PgDatabase, w: WorkerInfo): Promise<void> {
  await db.query(
    `INSERT INTO ${db.s}.workers (id, hostname, pid, queues, tasks, concurrency, started_at, last_seen_at, status)
     VALUES ($1, $2, $3, $4::jsonb, $5::jsonb, $6, $7, $8, $9)
     ON CONFLICT (id) DO UPDATE SET queues = excluded.queues, tasks = excluded.tasks, concurrency = excluded.concurrency,
       last_seen_at = excluded.last_seen_at, status = excluded.status`,
    [w.id, w.hostname, w.pid, JSON.stringify(w.queues), JSON.stringify(w.tasks), w.concurrency, w.startedAt, w.lastSeenAt, w.status],
  );
}

export async function listWorkers(db: PgDatabase): Promise<WorkerInfo[]> {
  const rows = await db.query<WorkerRow>(
    `SELECT id, hostname, pid, queues, tasks, concurrency, started_at, last_seen_at, status FROM ${db.s}.workers
     ORDER BY started_at`,
  );
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    pid: r.pid,
    queues: r.queues,
    tasks: r.tasks,
    concurrency: r.concurrency,
    startedAt: r.started_at,
    lastSeenAt: r.last_seen_at,
    status: r.status,
  }));
}

/**
 * Task jobs, spelled so that they walk `jobs_v1_created` (migration 014): `target = 'task'`
 * alone has no index since migration 013, which made `dialect = 'v1'` a rule of every task job.
 */
const TASK_JOBS = `WHERE dialect = 'v1' AND target = 'task'`;

export async function jobStats(db: PgDatabase): Promise<JobStats> {
  const [rows, times] = await Promise.all([
    db.query<{ queue: string; status: JobStatus; priority: number; n: number }>(
      `SELECT queue, status, priority, count(*) AS n FROM ${db.s}.jobs ${TASK_JOBS} GROUP BY queue, status, priority`,
    ),
    db.query<{ wait: number | null; run: number | null }>(
      `SELECT avg(started_at - GREATEST(occurrence, created_at))::float8 AS wait,
              avg(CASE WHEN status = 'completed' THEN completed_at - started_at END)::float8 AS run
       FROM ${db.s}.jobs ${TASK_JOBS} AND started_at IS NOT NULL`,
    ),
  ]);
  const stats = emptyJobStats(times[0]?.wait ?? null, times[0]?.run ?? null);
  for (const row of rows) addJobCount(stats, row.queue, row.status, row.priority, row.n);
  return stats;
}

/** The job platform's queues, tasks, workers and statistics on SQLite. */
import { CALLBACK_QUEUE, type JobStatus } from '../../core/types.js';
import type { JobStats, QueueInfo, TaskInfo, WorkerInfo } from '../store.js';
import type { SqliteContext } from './context.js';
import { taskFromRow, type TaskRow } from '../sql-rows.js';
import { addJobCount, emptyJobStats } from '../job-stats.js';
import { countsByQueue } from './queue-counts.js';
import { TASK_JOB_SQL } from './sql-spellings.js';

interface QueueSettings {
  paused: number;
  concurrency: number | null;
}

export function queueSettings(ctx: SqliteContext, name: string): QueueSettings | undefined {
  return ctx.prepare('SELECT paused, concurrency FROM queues WHERE name = ?').get(name) as QueueSettings | undefined;
}

/** How many more jobs the queue may start now (Infinity without a limit, 0 when paused). */
export function queueCapacity(ctx: SqliteContext, name: string): number {
  const settings = queueSettings(ctx, name);
  if (!settings) return Number.POSITIVE_INFINITY;
  if (settings.paused) return 0;
  if (settings.concurrency === null) return Number.POSITIVE_INFINITY;
  const active = ctx
    .prepare(`SELECT COUNT(*) FROM jobs WHERE queue = ? AND status IN ('reserved', 'running')`)
    .pluck()
    .get(name) as number;
  return Math.max(0, settings.concurrency - active);
}

/** The settings from this connection; the sizes from the scan reader's thread (queue-counts.ts). */
export async function listQueues(ctx: SqliteContext): Promise<QueueInfo[]> {
  const { waiting, claimed } = await countsByQueue(ctx);
  return ctx.read(() => {
    const queues = new Map<string, QueueInfo>();
    const entry = (name: string): QueueInfo => {
      let queue = queues.get(name);
      if (!queue) {
        queue = { name, size: 0, running: 0, isPaused: false, concurrency: null };
        queues.set(name, queue);
      }
      return queue;
    };
    for (const row of ctx.prepare('SELECT name, paused, concurrency FROM queues').all() as (QueueSettings & { name: string })[]) {
      Object.assign(entry(row.name), { isPaused: row.paused === 1, concurrency: row.concurrency });
    }
    for (const name of ctx.prepare('SELECT DISTINCT queue FROM tasks').pluck().all() as string[]) entry(name);
    for (const row of waiting) entry(row.queue).size = row.n;
    for (const row of claimed) entry(row.queue).running = row.n;
    queues.delete(CALLBACK_QUEUE);
    return [...queues.values()].sort((a, b) => a.name.localeCompare(b.name));
  });
}

/** A resumed queue's jobs are due again: the peers re-read (a null row in the due log). */
export function setQueuePaused(ctx: SqliteContext, name: string, paused: boolean, now: number): void {
  ctx.write(() => {
    ctx
      .prepare(
        `INSERT INTO queues (name, paused, concurrency, updated_at) VALUES (?, ?, NULL, ?)
         ON CONFLICT (name) DO UPDATE SET paused = excluded.paused, updated_at = excluded.updated_at`,
      )
      .run(name, paused ? 1 : 0, now);
    if (!paused) ctx.publish([null]);
  });
}

/** A changed limit may let more of the queue's jobs run: the peers re-read. */
export function setQueueConcurrency(ctx: SqliteContext, name: string, limit: number | null, now: number): void {
  ctx.write(() => {
    ctx
      .prepare(
        `INSERT INTO queues (name, paused, concurrency, updated_at) VALUES (?, 0, ?, ?)
         ON CONFLICT (name) DO UPDATE SET concurrency = excluded.concurrency, updated_at = excluded.updated_at`,
      )
      .run(name, limit, now);
    ctx.publish([null]);
  });
}

/** Schedules' next occurrences stay: deleting one would silently stop its schedule. */
export function clearQueue(ctx: SqliteContext, name: string): number {
  return ctx.write(
    () =>
      ctx.prepare(`DELETE FROM jobs WHERE queue = ? AND status IN ('pending', 'retrying') AND schedule_id IS NULL`).run(name)
        .changes,
  );
}

export function registerTasks(ctx: SqliteContext, tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[], now: number): void {
  ctx.write(() => {
    const upsert = ctx.prepare(
      `INSERT INTO tasks (name, version, description, queue, timeout_ms, max_retries, retry_delay_ms, is_async,
         registered_at, last_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (name, version) DO UPDATE SET description = excluded.description, queue = excluded.queue,
         timeout_ms = excluded.timeout_ms, max_retries = excluded.max_retries, retry_delay_ms = excluded.retry_delay_ms,
         is_async = excluded.is_async, last_seen_at = excluded.last_seen_at`,
    );
    for (const t of tasks) {
      upsert.run(t.name, t.version, t.description, t.queue, t.timeoutMs, t.maxRetries, t.retryDelayMs, t.isAsync ? 1 : 0, now, now);
    }
  });
}

export function listTasks(ctx: SqliteContext): TaskInfo[] {
  return (ctx.read(() => ctx.prepare('SELECT * FROM tasks ORDER BY name, registered_at').all()) as TaskRow[]).map(taskFromRow);
}

export function getTask(ctx: SqliteContext, name: string, version?: string): TaskInfo | null {
  const row = ctx.read(() =>
    version === undefined
      ? ctx.prepare('SELECT * FROM tasks WHERE name = ? ORDER BY registered_at DESC, version DESC LIMIT 1').get(name)
      : ctx.prepare('SELECT * FROM tasks WHERE name = ? AND version = ?').get(name, version),
  ) as TaskRow | undefined;
  return row ? taskFromRow(row) : null;
}

interface WorkerRow {
  id: string;
  hostname: string;
  pid: number;
  queues: string;
  tasks: string;
  concurrency: number;
  started_at: number;
  last_seen_at: number;
  status: 'active' | 'stopped';
}

export function saveWorker(ctx: SqliteContext, w: WorkerInfo): void {
  ctx.write(() =>
    ctx
      .prepare(
        `INSERT INTO workers (id, hostname, pid, queues, tasks, concurrency, started_at, last_seen_at, status)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET queues = excluded.queues, tasks = excluded.tasks, concurrency = excluded.concurrency,
           last_seen_at = excluded.last_seen_at, status = excluded.status`,
      )
      .run(w.id, w.hostname, w.pid, JSON.stringify(w.queues), JSON.stringify(w.tasks), w.concurrency, w.startedAt, w.lastSeenAt, w.status),
  );
}

export function listWorkers(ctx: SqliteContext): WorkerInfo[] {
  const rows = ctx.read(() => ctx.prepare('SELECT * FROM workers ORDER BY started_at').all()) as WorkerRow[];
  return rows.map((r) => ({
    id: r.id,
    hostname: r.hostname,
    pid: r.pid,
    queues: JSON.parse(r.queues),
    tasks: JSON.parse(r.tasks),
    concurrency: r.concurrency,
    startedAt: r.started_at,
    lastSeenAt: r.last_seen_at,
    status: r.status,
  }));
}

/**
 * Walks every task job: on the scan reader's thread (SqliteContext.scanRows), through
 * `jobs_dialect`, since a task job is always a v1 one (migration 015).
 */
export async function jobStats(ctx: SqliteContext): Promise<JobStats> {
  const [rows, [times]] = await Promise.all([
    ctx.scanRows<{ queue: string; status: JobStatus; priority: number; n: number }>(
      `SELECT queue, status, priority, COUNT(*) AS n FROM jobs WHERE ${TASK_JOB_SQL} GROUP BY queue, status, priority`,
    ),
    ctx.scanRows<{ wait: number | null; run: number | null }>(
      `SELECT AVG(started_at - MAX(occurrence, created_at)) AS wait,
              AVG(CASE WHEN status = 'completed' THEN completed_at - started_at END) AS run
       FROM jobs WHERE ${TASK_JOB_SQL} AND started_at IS NOT NULL`,
    ),
  ]);
  const stats = emptyJobStats(times?.wait ?? null, times?.run ?? null);
  for (const row of rows) addJobCount(stats, row.queue, row.status, row.priority, row.n);
  return stats;
}

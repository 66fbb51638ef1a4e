/** The job platform's queues, tasks, workers and statistics on Redis. */
import { CALLBACK_QUEUE, type JobStatus } from '../../core/types.js';
import type { JobStats, QueueInfo, TaskInfo, WorkerInfo } from '../store.js';
import type { RedisContext } from './context.js';
import { addJobCount, emptyJobStats } from '../job-stats.js';

/** Job rows per stats chunk: ~1 ms of Redis time each. */
const STATS_CHUNK = 2000;

export async function listQueues(ctx: RedisContext): Promise<QueueInfo[]> {
  const rows = await ctx.script<[string, number, number, string, string][]>('chimeListQueues', [CALLBACK_QUEUE]);
  return rows
    .map(([name, size, running, paused, concurrency]) => ({
      name,
      size,
      running,
      isPaused: paused === '1',
      concurrency: concurrency === '' ? null : Number(concurrency),
    }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

/** Tells every node's dispatchers to re-read due times (a queue resumed or got room). */
function publishChange(ctx: RedisContext, multi: ReturnType<RedisContext['redis']['multi']>): void {
  multi.publish(ctx.keys.dueChannel, JSON.stringify({ from: ctx.origin, signals: null }));
}

export async function setQueuePaused(ctx: RedisContext, name: string, paused: boolean, now: number): Promise<void> {
  await ctx.call((redis) => {
    const multi = redis.multi();
    multi.hset(ctx.keys.queue(name), 'paused', paused ? '1' : '0', 'updated_at', String(now));
    multi.sadd(ctx.keys.global('queues'), name);
    if (!paused) publishChange(ctx, multi);
    return multi.exec();
  });
}

export async function setQueueConcurrency(ctx: RedisContext, name: string, limit: number | null, now: number): Promise<void> {
  await ctx.call((redis) => {
    const multi = redis.multi();
    if (limit === null) multi.hdel(ctx.keys.queue(name), 'concurrency');
    else multi.hset(ctx.keys.queue(name), 'concurrency', String(limit));
    multi.hset(ctx.keys.queue(name), 'updated_at', String(now));
    multi.sadd(ctx.keys.global('queues'), name);
    publishChange(ctx, multi);
    return multi.exec();
  });
}

export async function clearQueue(ctx: RedisContext, name: string): Promise<number> {
  return ctx.script<number>('chimeClearQueue', [name]);
}

function taskKey(name: string, version: string): string {
  return `${name}\u0000${version}`;
}

type StoredTask = Omit<TaskInfo, 'registeredAt'>;

export async function registerTasks(
  ctx: RedisContext,
  tasks: readonly Omit<TaskInfo, 'registeredAt' | 'lastSeenAt'>[],
  now: number,
): Promise<void> {
  if (tasks.length === 0) return;
  await ctx.call((redis) => {
    // Idempotent upserts: the definition is overwritten, the first registration time kept.
    const multi = redis.multi();
    for (const t of tasks) {
      const stored: StoredTask = { ...t, lastSeenAt: now };
      multi.hset(ctx.keys.global('tasks'), taskKey(t.name, t.version), JSON.stringify(stored));
      multi.hsetnx(ctx.keys.global('tasks:registered'), taskKey(t.name, t.version), String(now));
      multi.sadd(ctx.keys.global('task-queues'), t.queue);
    }
    return multi.exec();
  });
}

async function allTasks(ctx: RedisContext): Promise<TaskInfo[]> {
  const [stored, registered] = await ctx.call((redis) =>
    Promise.all([redis.hgetall(ctx.keys.global('tasks')), redis.hgetall(ctx.keys.global('tasks:registered'))]),
  );
  return Object.entries(stored).map(([key, json]) => {
    const task = JSON.parse(json) as StoredTask;
    return { ...task, registeredAt: Number(registered[key] ?? task.lastSeenAt) };
  });
}

export async function listTasks(ctx: RedisContext): Promise<TaskInfo[]> {
  return (await allTasks(ctx)).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.registeredAt - b.registeredAt));
}

/** One version, or the most recently registered one (ties: the greatest version). */
export async function getTask(ctx: RedisContext, name: string, version?: string): Promise<TaskInfo | null> {
  const candidates = (await allTasks(ctx)).filter((t) => t.name === name && (version === undefined || t.version === version));
  candidates.sort((a, b) => b.registeredAt - a.registeredAt || (a.version < b.version ? 1 : a.version > b.version ? -1 : 0));
  return candidates[0] ?? null;
}

export async function saveWorker(ctx: RedisContext, w: WorkerInfo): Promise<void> {
  await ctx.call((redis) => {
    const key = ctx.keys.worker(w.id);
    const multi = redis.multi();
    // Identity fields are kept from the first heartbeat, as SQLite's upsert keeps them.
    multi.hsetnx(key, 'hostname', w.hostname);
    multi.hsetnx(key, 'pid', String(w.pid));
    multi.hsetnx(key, 'started_at', String(w.startedAt));
    multi.hset(key, 'id', w.id, 'queues', JSON.stringify(w.queues), 'tasks', JSON.stringify(w.tasks),
      'concurrency', String(w.concurrency), 'last_seen_at', String(w.lastSeenAt), 'status', w.status);
    multi.zadd(ctx.keys.global('workers'), 'NX', w.startedAt, w.id);
    return multi.exec();
  });
}

export async function listWorkers(ctx: RedisContext): Promise<WorkerInfo[]> {
  const hashes = await ctx.call(async (redis) => {
    const ids = await redis.zrange(ctx.keys.global('workers'), 0, -1);
    const pipeline = redis.pipeline();
    for (const id of ids) pipeline.hgetall(ctx.keys.worker(id));
    return ((await pipeline.exec()) ?? []).map(([, hash]) => hash as Record<string, string>);
  });
  return hashes
    .filter((h) => h.id !== undefined)
    .map((h) => ({
      id: h.id!,
      hostname: h.hostname!,
      pid: Number(h.pid),
      queues: JSON.parse(h.queues!),
      tasks: JSON.parse(h.tasks!),
      concurrency: Number(h.concurrency),
      startedAt: Number(h.started_at),
      lastSeenAt: Number(h.last_seen_at),
      status: h.status as WorkerInfo['status'],
    }));
}

/** Walks the v1 jobs in chunks, the task jobs among them counted in Lua (lua/job-stats-chunk.lua): O(v1 jobs). */
export async function jobStats(ctx: RedisContext): Promise<JobStats> {
  const stats = emptyJobStats();
  let waitSum = 0;
  let waitCount = 0;
  let runSum = 0;
  let runCount = 0;
  for (let start = 0; ; start += STATS_CHUNK) {
    const [read, wait, started, run, ran, ...groups] = await ctx.script<[number, string, number, string, number, ...(string | number)[]]>(
      'chimeJobStatsChunk',
      [start, STATS_CHUNK],
    );
    waitSum += Number(wait);
    waitCount += started;
    runSum += Number(run);
    runCount += ran;
    for (let i = 0; i + 3 < groups.length; i += 4) {
      addJobCount(stats, String(groups[i]), groups[i + 1] as JobStatus, Number(groups[i + 2]), Number(groups[i + 3]));
    }
    if (read < STATS_CHUNK) break;
  }
  stats.avgWaitMs = waitCount > 0 ? waitSum / waitCount : null;
  stats.avgRunMs = runCount > 0 ? runSum / runCount : null;
  return stats;
}

/**
 * The Redis key layout, in one place for both languages: the TypeScript functions below and
 * the Lua prelude (`LUA_KEYS`) build the very same names.
 *
 * Every key starts with `{prefix}:`, and scripts derive per-job keys from the prefix (as
 * BullMQ's do) instead of receiving them all in KEYS: a claim touches keys it only learns
 * while it runs. The store talks to one Redis server (or a failover-managed primary).
 *
 * Name segments (queue, task, ids) are escaped (`%` → `%25`, `:` → `%3A`) so that queue
 * `a:b` with task `c` and queue `a` with task `b:c` never share a key.
 *
 * Global keys (passed to every script as KEYS, in this order):
 * | key                  | type   | holds |
 * |----------------------|--------|-------|
 * | layout               | string | data layout version (migrations/) |
 * | seq:history          | string | last history entry id |
 * | seq:revision         | string | last schedule revision (see claim-due.ts) |
 * | leased               | zset   | reserved/running job ids by lease_until (reaper) |
 * | finished             | zset   | final job ids by completed_at (retention) |
 * | dead-letters         | zset   | callback job ids failed or timed out, by completed_at (layout 5) |
 * | queues               | set    | queue names that had jobs or settings |
 * | task-queues          | set    | queue names of registered tasks |
 * | names                | hash   | callback schedule name → schedule id (Dapr names are unique) |
 * | names:lex            | zset   | callback schedule names, score 0, for prefix/keyset listing |
 * | schedules            | zset   | schedule ids by created_at |
 * | schedules:finished   | zset   | finished schedule ids by updated_at (retention) |
 * | advance              | hash   | advance marker (schedule id, a bar, occurrence) → JSON {rev, force, queue, task} |
 * | history              | hash   | history id → JSON entry |
 * | history:all          | zset   | history ids by id |
 * | tasks                | hash   | "name\u0000version" → task JSON |
 * | tasks:registered     | hash   | "name\u0000version" → first registration time |
 * | workers              | zset   | worker ids by started_at |
 * | v1-names             | zset   | "name\u0000id" per `/api/v1` schedule, score 0: those names are unique |
 *
 * Per-entity keys:
 * | key                                   | type   | holds |
 * |---------------------------------------|--------|-------|
 * | job:{id}                              | hash   | one job (fields as the SQLite columns, plus history_ids) |
 * | schedule:{id}                         | hash   | one schedule, plus `rev` and `tags` |
 * | waiting:{queue}:{task}:{priority}     | zset   | pending/retrying job ids by run_at |
 * | queue-tasks:{queue}                   | set    | task names ('' for callbacks) with waiting keys |
 * | active:{queue}                        | set    | reserved/running job ids (concurrency limit) |
 * | queue:{queue}                         | hash   | paused, concurrency, updated_at |
 * | idx:status:{status}, idx:queue:{queue},
 * | idx:schedule:{id},
 * | idx:dialect:{dialect}                 | zset   | job ids by created_at, for listJobs (no idx:status |
 * |                                       |        | for reserved or running: `leased` lists those; |
 * |                                       |        | the dialects' hold every job, layout 6) |
 * | occurrences:{schedule}                | hash   | occurrence → job id: "(schedule, occurrence) is unique" |
 * | open:{schedule}                       | set    | the schedule's unfinished job ids |
 * | advance:{queue}                       | zset   | advance markers of the queue by deadline (stale sweep) |
 * | history:schedule:{id}                 | zset   | the schedule's history ids by id |
 * | history:job:{id}                      | string | history ids of a job deleted before retention |
 * | worker:{id}                           | hash   | one worker heartbeat |
 * | claim:{origin}:{n}                    | string | what claim n of a store instance took, JSON, for a lease's length (lost-claims.ts) |
 */

import type { Dialect } from '../../core/types.js';

export const GLOBAL_KEYS = [
  'layout',
  'seq:history',
  'seq:revision',
  'leased',
  'finished',
  'dead-letters',
  'queues',
  'task-queues',
  'names',
  'names:lex',
  'schedules',
  'schedules:finished',
  'advance',
  'history',
  'history:all',
  'tasks',
  'tasks:registered',
  'workers',
  'v1-names',
] as const;

export type GlobalKey = (typeof GLOBAL_KEYS)[number];

/**
 * Every dialect, whose `idx:dialect:*` zsets hold every job between them (layout 6 dropped the
 * index of all jobs). A record, so that a new dialect fails to compile until it is listed.
 */
const DIALECTS: Record<Dialect, true> = { dapr: true, envelope: true, v1: true };

export function escapeSegment(segment: string): string {
  return segment.replace(/[%:]/g, (c) => (c === '%' ? '%25' : '%3A'));
}

/** Key names for one prefix. */
export class RedisKeys {
  /** The global keys in GLOBAL_KEYS order: every script's KEYS. */
  readonly globals: readonly string[];
  /** Pub/sub channel of due signals. */
  readonly dueChannel: string;

  constructor(readonly prefix: string) {
    this.globals = GLOBAL_KEYS.map((name) => `${prefix}:${name}`);
    this.dueChannel = `${prefix}:due`;
  }

  global(name: GlobalKey): string {
    return `${this.prefix}:${name}`;
  }

  job(id: string): string {
    return `${this.prefix}:job:${escapeSegment(id)}`;
  }

  schedule(id: string): string {
    return `${this.prefix}:schedule:${escapeSegment(id)}`;
  }

  queue(name: string): string {
    return `${this.prefix}:queue:${escapeSegment(name)}`;
  }

  worker(id: string): string {
    return `${this.prefix}:worker:${escapeSegment(id)}`;
  }

  /** The record of claim `n` of the store instance `origin` (lua/claim-due.lua). */
  claim(origin: string, n: number): string {
    return `${this.prefix}:claim:${escapeSegment(origin)}:${n}`;
  }

  waiting(queue: string, task: string, priority: number): string {
    return `${this.prefix}:waiting:${escapeSegment(queue)}:${escapeSegment(task)}:${priority}`;
  }

  /** SCAN pattern matching every key of this prefix (tests and tools clean up with it). */
  get pattern(): string {
    return `${this.prefix.replace(/[*?[\]\\]/g, '\\$&')}:*`;
  }
}

/**
 * The same layout in Lua, prepended to every script. `P` is the prefix (ARGV[1]); `K` maps
 * the global keys from KEYS.
 */
export const LUA_KEYS = `
local P = ARGV[1]
local K = {}
${GLOBAL_KEYS.map((name, i) => `K['${name}'] = KEYS[${i + 1}]`).join('\n')}
local ESC = { ['%'] = '%25', [':'] = '%3A' }
-- Plain finds first: gsub costs ~1.4 µs a call (measured), and names rarely hold either.
local function seg(s)
  if string.find(s, ':', 1, true) or string.find(s, '%', 1, true) then return (string.gsub(s, '[%%:]', ESC)) end
  return s
end
local function job_key(id) return P .. ':job:' .. seg(id) end
local function schedule_key(id) return P .. ':schedule:' .. seg(id) end
local function queue_key(q) return P .. ':queue:' .. seg(q) end
local function waiting_key(q, task, prio) return P .. ':waiting:' .. seg(q) .. ':' .. seg(task) .. ':' .. prio end
local function queue_tasks_key(q) return P .. ':queue-tasks:' .. seg(q) end
local function active_key(q) return P .. ':active:' .. seg(q) end
local function status_idx(s) return P .. ':idx:status:' .. s end
local function queue_idx(q) return P .. ':idx:queue:' .. seg(q) end
-- 'seed' is 'envelope' stored before the rename (rows.ts dialectOf): indexed as it reads.
local function dialect_idx(d) return P .. ':idx:dialect:' .. (d == 'seed' and 'envelope' or d) end
local function schedule_idx(id) return P .. ':idx:schedule:' .. seg(id) end
-- Every dialect's index: between them, every job.
local function all_dialect_idxs() return { ${Object.keys(DIALECTS).map((d) => `dialect_idx('${d}')`).join(', ')} } end
local function occurrences_key(id) return P .. ':occurrences:' .. seg(id) end
local function open_key(id) return P .. ':open:' .. seg(id) end
local function advance_key(q) return P .. ':advance:' .. seg(q) end
local function job_history_key(id) return P .. ':history:job:' .. seg(id) end
local function schedule_history_key(id) return P .. ':history:schedule:' .. seg(id) end
`;

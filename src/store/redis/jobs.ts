/** Job queries and user-driven job changes (insert, cancel, retry) of the Redis store. */
import { PRIORITY_RANK, type HistoryEntry, type JobRecord } from '../../core/types.js';
import { cancelledError } from '../../core/job-status-rules.js';
import { JOB_ORDER_COLUMNS, jobOrderValue, nextKeyset } from '../job-order.js';
import type { Written } from '../store-ops.js';
import type { DueSignal, HistoryQuery, JobPage, JobQuery, NewJob, PlanNext } from '../store.js';
import { historyFromEntry, jobFields, jobFromHash, scheduleFromHash, signalsFromFlat, toHash } from './rows.js';
import type { RedisContext } from './context.js';
import { advanceSchedules } from './advance-schedules.js';

/** How long a cancel's pending advance may wait before a claimer on its queue completes it. */
const CANCEL_ADVANCE_GRACE_MS = 30_000;

export async function insertJobs(ctx: RedisContext, jobs: readonly NewJob[]): Promise<DueSignal[]> {
  const args: (string | number)[] = [jobs.length];
  for (const job of jobs) {
    const fields = jobFields(job);
    args.push(fields.length);
    for (const value of fields) args.push(value);
  }
  return signalsFromFlat(await ctx.script<string[]>('chimeInsertJobs', args));
}

export async function getJob(ctx: RedisContext, id: string): Promise<JobRecord | null> {
  const hash = await ctx.call((redis) => redis.hgetall(ctx.keys.job(id)));
  return hash.id === undefined ? null : jobFromHash(hash);
}

/** Hash field per order (named as the columns); ties break on id in the same direction, as SQLite's ORDER BY. */
const ORDER_FIELDS = JOB_ORDER_COLUMNS;

/** See lua/list-jobs.lua for which queries use an index and what the others cost. */
export async function listJobs(ctx: RedisContext, query: JobQuery): Promise<JobPage> {
  const encoded = {
    statuses: query.statuses && query.statuses.length > 0 ? query.statuses : undefined,
    // Empty strings filter nothing, as in SQLite's listJobs.
    queue: query.queue || undefined,
    scheduleId: query.scheduleId || undefined,
    target: query.target || undefined,
    dialect: query.dialect || undefined,
    name: query.name || undefined,
    priority: query.priority ? String(PRIORITY_RANK[query.priority]) : undefined,
    workerId: query.workerId || undefined,
    tags: query.tags && query.tags.length > 0 ? query.tags : undefined,
    order: ORDER_FIELDS[query.orderBy],
    desc: query.orderDir === 'desc',
    limit: query.limit,
    offset: query.offset,
    // cjson cannot encode a null inside the object; an absent value is the NULL one.
    after: query.after ? { value: query.after.value ?? undefined, tie: query.after.tie } : undefined,
    count: !query.skipTotal,
  };
  const [total, ...rows] = await ctx.script<[number, ...string[][]]>('chimeListJobs', [JSON.stringify(encoded)]);
  const items = rows.map((flat) => jobFromHash(toHash(flat)));
  const next = nextKeyset(items, query.limit, (job) => ({ value: jobOrderValue(job, query.orderBy), tie: job.id }));
  // A total is a ZCARD, a ZINTERCARD, or the matches a scan found (lua/list-jobs.lua).
  return { items, total: query.skipTotal ? null : total, next };
}

export async function cancelJob(
  ctx: RedisContext,
  id: string,
  reason: string | null,
  now: number,
  planNext: PlanNext,
): Promise<Written<JobRecord | null>> {
  const error = JSON.stringify(cancelledError(reason));
  const reply = await ctx.script<[string[], string, string[]] | null>('chimeCancelJob', [id, error, now, now + CANCEL_ADVANCE_GRACE_MS]);
  if (!reply) return { value: null, signals: [] };
  const [job, marker, schedule] = reply;
  const signals: DueSignal[] = [];
  if (marker !== '') {
    // Step 2 of the cancel, as of a claim (lua/claim-due.lua): plan the next occurrence and
    // apply it; the marker makes it not count as a firing.
    const record = scheduleFromHash(toHash(schedule));
    await advanceSchedules(ctx, [marker], new Map([[record.id, record]]), planNext, now, signals);
  }
  return { value: jobFromHash(toHash(job)), signals };
}

export async function retryJob(ctx: RedisContext, id: string, now: number): Promise<Written<JobRecord | null>> {
  const reply = await ctx.script<[string[], string[]] | null>('chimeRetryJob', [id, now]);
  if (!reply) return { value: null, signals: [] };
  return { value: jobFromHash(toHash(reply[0])), signals: signalsFromFlat(reply[1]) };
}

export async function listHistory(ctx: RedisContext, query: HistoryQuery): Promise<HistoryEntry[]> {
  const flat = await ctx.script<string[]>('chimeListHistory', [
    query.jobId ?? '',
    query.scheduleId ?? '',
    query.beforeId === undefined ? '+inf' : query.beforeId,
    query.limit,
  ]);
  const entries: HistoryEntry[] = [];
  for (let i = 0; i < flat.length; i += 2) entries.push(historyFromEntry(flat[i]!, flat[i + 1]!));
  return entries;
}

export async function purgeFinished(ctx: RedisContext, before: number, limit: number): Promise<number> {
  return ctx.script<number>('chimePurgeFinished', [before, limit]);
}

export async function deleteFinishedJob(ctx: RedisContext, id: string): Promise<boolean> {
  return (await ctx.script<number>('chimeDeleteFinishedJob', [id])) === 1;
}

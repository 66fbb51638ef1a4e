/**
 * `jobCounts` on Redis: set sizes of the live jobs, and the dead letters (callbacks failed or timed out).
 * `callbackScheduleCounts`: a walk of the name index in chunks (lua/callback-schedule-counts-chunk.lua).
 */
import { scheduleCounts } from '../job-stats.js';
import type { JobCounts, ScheduleCounts } from '../store.js';
import type { RedisContext } from './context.js';

export async function jobCounts(ctx: RedisContext): Promise<JobCounts> {
  const [deadLetters, ...flat] = await ctx.script<[number, ...(string | number)[]]>('chimeJobCounts', []);
  const queues: JobCounts['queues'] = [];
  for (let i = 0; i + 2 < flat.length; i += 3) {
    queues.push({ queue: String(flat[i]), waiting: Number(flat[i + 1]), claimed: Number(flat[i + 2]) });
  }
  return { queues: queues.sort((a, b) => a.queue.localeCompare(b.queue)), deadLetters };
}

/** Names per script call: one call holds Redis briefly, as STATS_CHUNK in platform.ts. */
const COUNTS_CHUNK = 2000;

export async function callbackScheduleCounts(ctx: RedisContext): Promise<ScheduleCounts> {
  const rows: { status: string; n: number }[] = [];
  let after = '';
  do {
    const [last, ...flat] = await ctx.script<[string, ...(string | number)[]]>('chimeCallbackScheduleCountsChunk', [after, COUNTS_CHUNK]);
    for (let i = 0; i + 1 < flat.length; i += 2) rows.push({ status: String(flat[i]), n: Number(flat[i + 1]) });
    after = last;
  } while (after !== '');
  return scheduleCounts(rows);
}

/** `jobCounts` and `callbackScheduleCounts` on SQLite: index-only counts, on the scan reader's thread. */
import { jobCountsOf, scheduleCounts } from '../job-stats.js';
import type { JobCounts, ScheduleCounts } from '../store.js';
import type { SqliteContext } from './context.js';
import { countsByQueue } from './queue-counts.js';
import { DEAD_LETTER_SLICE } from './list-slices.js';

/**
 * The waiting and claimed counts by queue (queue-counts.ts), and the dead letters, on the scan
 * reader's thread. The dead letters are those of their list (failed or timed out), counted over
 * the list's own slice index, jobs_dead_letters, named: SQLite's planner preferred walking
 * every callback job in jobs_target while it existed (as it did for the list; list-slices.ts).
 */
export async function jobCounts(ctx: SqliteContext): Promise<JobCounts> {
  const [{ waiting, claimed }, [dead]] = await Promise.all([
    countsByQueue(ctx),
    ctx.scanRows<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs INDEXED BY ${DEAD_LETTER_SLICE.index} WHERE ${DEAD_LETTER_SLICE.predicate}`),
  ]);
  return jobCountsOf(waiting, claimed, dead?.n ?? 0);
}

export async function callbackScheduleCounts(ctx: SqliteContext): Promise<ScheduleCounts> {
  // Covered by the partial index schedules_callback_status_name (status, name): no row is read.
  return scheduleCounts(await ctx.scanRows<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM schedules WHERE target = 'callback' GROUP BY status`));
}

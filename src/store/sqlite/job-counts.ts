/** `jobCounts` and `callbackScheduleCounts` on SQLite: index-only counts, on the scan reader's thread. */
import { jobCountsOf, scheduleCounts } from '../job-stats.js';
import type { JobCounts, ScheduleCounts } from '../store.js';
import type { SqliteContext } from './context.js';
import { countsByQueue } from './queue-counts.js';
import { DEAD_LETTER_SQL } from './sql-spellings.js';

/**
 * The waiting and claimed counts by queue (queue-counts.ts), and the dead letters, on the scan
 * reader's thread. The dead letters are those of their list (failed or timed out), counted over
 * jobs_dead_letters alone: named, since SQLite's planner preferred walking every callback job
 * in jobs_target (as it did for the list; sqlite/list-slices.ts).
 */
export async function jobCounts(ctx: SqliteContext): Promise<JobCounts> {
  const [{ waiting, claimed }, [dead]] = await Promise.all([
    countsByQueue(ctx),
    ctx.scanRows<{ n: number }>(`SELECT COUNT(*) AS n FROM jobs INDEXED BY jobs_dead_letters WHERE ${DEAD_LETTER_SQL}`),
  ]);
  return jobCountsOf(waiting, claimed, dead?.n ?? 0);
}

export async function callbackScheduleCounts(ctx: SqliteContext): Promise<ScheduleCounts> {
  // Covered by the partial index schedules_callback_status_name (status, name): no row is read.
  return scheduleCounts(await ctx.scanRows<{ status: string; n: number }>(`SELECT status, COUNT(*) AS n FROM schedules WHERE target = 'callback' GROUP BY status`));
}

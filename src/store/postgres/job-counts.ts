/** `jobCounts` and `callbackScheduleCounts` on PostgreSQL: index-only counts, never the jobs table. */
import { jobCountsOf, scheduleCounts } from '../job-stats.js';
import type { JobCounts, ScheduleCounts } from '../store.js';
import type { PgDatabase } from './context.js';
import { DEAD_LETTER_STATUSES_SQL } from './rows.js';

export async function jobCounts(db: PgDatabase): Promise<JobCounts> {
  // Each WHERE matches a partial index (jobs_due, jobs_leased, jobs_dead_letters), so none
  // reads the finished jobs. The dead letters are those of their list: callbacks failed or timed out.
  const [waiting, claimed, dead] = await Promise.all([
    db.query<{ queue: string; n: number }>(`SELECT queue, count(*)::int AS n FROM ${db.s}.jobs WHERE status IN ('pending', 'retrying') GROUP BY queue`),
    db.query<{ queue: string; n: number }>(`SELECT queue, count(*)::int AS n FROM ${db.s}.jobs WHERE status IN ('reserved', 'running') GROUP BY queue`),
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${db.s}.jobs WHERE target = 'callback' AND status IN (${DEAD_LETTER_STATUSES_SQL})`),
  ]);
  return jobCountsOf(waiting, claimed, dead[0]?.n ?? 0);
}

export async function callbackScheduleCounts(db: PgDatabase): Promise<ScheduleCounts> {
  // The partial index schedules_callback_status_name (status, name) covers it.
  return scheduleCounts(await db.query<{ status: string; n: number }>(`SELECT status, count(*)::int AS n FROM ${db.s}.schedules WHERE target = 'callback' GROUP BY status`));
}

/** `jobCounts` and `callbackScheduleCounts` on SQLite: index-only counts, never the jobs table. */
import { CALLBACK_QUEUE } from '../../core/types.js';
import { scheduleCounts } from '../job-stats.js';
import type { JobCounts, ScheduleCounts } from '../store.js';
import type { SqliteContext } from './context.js';

export function jobCounts(ctx: SqliteContext): JobCounts {
  return ctx.read(() => {
    const queues = new Map<string, JobCounts['queues'][number]>();
    const entry = (queue: string) => {
      let counts = queues.get(queue);
      if (!counts) queues.set(queue, (counts = { queue, waiting: 0, claimed: 0 }));
      return counts;
    };
    // Each WHERE matches a partial index (jobs_due, jobs_leased), so neither reads finished rows.
    const waiting = ctx.prepare(`SELECT queue, COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'retrying') GROUP BY queue`).all();
    for (const row of waiting as { queue: string; n: number }[]) entry(row.queue).waiting = row.n;
    const claimed = ctx.prepare(`SELECT queue, COUNT(*) AS n FROM jobs WHERE status IN ('reserved', 'running') GROUP BY queue`).all();
    for (const row of claimed as { queue: string; n: number }[]) entry(row.queue).claimed = row.n;
    const deadLetters = ctx.prepare(`SELECT COUNT(*) FROM jobs WHERE status = 'failed' AND queue = ?`).pluck().get(CALLBACK_QUEUE) as number;
    return { queues: [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)), deadLetters };
  });
}

export function callbackScheduleCounts(ctx: SqliteContext): ScheduleCounts {
  // Covered by the partial index schedules_callback_status_name (status, name): no row is read.
  const rows = ctx.read(() => ctx.prepare(`SELECT status, COUNT(*) AS n FROM schedules WHERE target = 'callback' GROUP BY status`).all());
  return scheduleCounts(rows as { status: string; n: number }[]);
}

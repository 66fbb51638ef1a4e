/**
 * Jobs waiting and jobs claimed, by queue: what `jobCounts` (metrics, the overview) and
 * `listQueues` count. Each WHERE matches a partial index (jobs_due, jobs_leased), so neither
 * reads a finished row; a backlog of 1,000,000 future jobs is still 1,000,000 entries (64 ms),
 * so both run on the scan reader's thread (SqliteContext.scanRows).
 */
import type { SqliteContext } from './context.js';

export interface QueueCount {
  queue: string;
  n: number;
}

export async function countsByQueue(ctx: SqliteContext): Promise<{ waiting: QueueCount[]; claimed: QueueCount[] }> {
  const [waiting, claimed] = await Promise.all([
    ctx.scanRows<QueueCount>(`SELECT queue, COUNT(*) AS n FROM jobs WHERE status IN ('pending', 'retrying') GROUP BY queue`),
    ctx.scanRows<QueueCount>(`SELECT queue, COUNT(*) AS n FROM jobs WHERE status IN ('reserved', 'running') GROUP BY queue`),
  ]);
  return { waiting, claimed };
}

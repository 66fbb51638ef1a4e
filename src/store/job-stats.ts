/**
 * `jobStats`, `jobCounts` (SQLite, PostgreSQL) and `callbackScheduleCounts` built alike: an empty
 * result, and the fold of counted groups into it. The backends differ only in how they count.
 */
import { JOB_STATUSES, PRIORITY_BY_RANK, SCHEDULE_STATUSES, type JobStatus, type Priority } from '../core/types.js';
import type { JobCounts, JobStats, ScheduleCounts, StatusCounts } from './platform-types.js';

export function emptyCounts(): StatusCounts {
  return { total: 0, byStatus: Object.fromEntries(JOB_STATUSES.map((s) => [s, 0])) as Record<JobStatus, number> };
}

export function emptyJobStats(avgWaitMs: number | null = null, avgRunMs: number | null = null): JobStats {
  return { ...emptyCounts(), avgWaitMs, avgRunMs, byQueue: {}, byPriority: { critical: 0, high: 0, normal: 0, low: 0 } };
}

/** Adds `n` jobs of one queue, status and priority rank (as the stores keep it: 0 = critical). */
export function addJobCount(stats: JobStats, queue: string, status: JobStatus, priorityRank: number, n: number): void {
  stats.total += n;
  stats.byStatus[status] += n;
  const counts = (stats.byQueue[queue] ??= emptyCounts());
  counts.total += n;
  counts.byStatus[status] += n;
  stats.byPriority[PRIORITY_BY_RANK[priorityRank] as Priority] += n;
}

/** Every schedule status at 0, then each backend's counted rows added. */
export function scheduleCounts(rows: Iterable<{ status: string; n: number }>): ScheduleCounts {
  const counts = Object.fromEntries(SCHEDULE_STATUSES.map((s) => [s, 0])) as ScheduleCounts;
  for (const row of rows) if (row.status in counts) counts[row.status as keyof ScheduleCounts] += Number(row.n);
  return counts;
}

/** Waiting and claimed jobs counted by queue (each queue once per list), sorted by queue. */
export function jobCountsOf(
  waiting: Iterable<{ queue: string; n: number }>,
  claimed: Iterable<{ queue: string; n: number }>,
  deadLetters: number,
): JobCounts {
  const queues = new Map<string, JobCounts['queues'][number]>();
  const entry = (queue: string) => {
    let counts = queues.get(queue);
    if (!counts) queues.set(queue, (counts = { queue, waiting: 0, claimed: 0 }));
    return counts;
  };
  for (const row of waiting) entry(row.queue).waiting = row.n;
  for (const row of claimed) entry(row.queue).claimed = row.n;
  return { queues: [...queues.values()].sort((a, b) => a.queue.localeCompare(b.queue)), deadLetters };
}

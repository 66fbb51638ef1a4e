/**
 * Claims on the SQLite store: peek at due times, and claim due jobs with each schedule's next
 * occurrence materialised in the same transaction.
 */
import { CALLBACK_QUEUE, type ClaimedJob } from '../../core/types.js';
import type { Written } from '../store-ops.js';
import type { ClaimRequest, DueSignal, Lane } from '../store.js';
import { advanceSchedule } from './advance-schedules.js';
import type { SqliteContext } from './context.js';
import { queueCapacity, queueSettings } from './platform.js';
import { jobFromRow, type JobRow } from './rows.js';

export function laneQueues(lane: Lane): readonly string[] {
  return lane.target === 'callback' ? [CALLBACK_QUEUE] : lane.queues;
}

/**
 * Due times without DISTINCT: a burst of 100k jobs at one instant returns `limit` equal
 * times in O(limit), and the caller treats the last one as its horizon.
 */
export function peekDueTimes(ctx: SqliteContext, lane: Lane, until: number, limit: number, after?: number): number[] {
  const taskFilter = lane.target === 'task' ? 'AND task_name IN (SELECT value FROM json_each(?))' : '';
  const sql = `SELECT run_at FROM jobs WHERE queue = ? AND priority = ? AND status IN ('pending', 'retrying')
    AND run_at > ? AND run_at <= ? ${taskFilter} ORDER BY run_at LIMIT ?`;
  const times: number[] = [];
  ctx.read(() => {
    for (const queue of laneQueues(lane)) {
      if (queueSettings(ctx, queue)?.paused) continue;
      // One pass per priority keeps each scan on the (queue, priority, run_at) index order.
      for (let priority = 0; priority < 4; priority++) {
        const params: unknown[] = [queue, priority, after ?? Number.MIN_SAFE_INTEGER, until];
        if (lane.target === 'task') params.push(JSON.stringify(lane.tasks));
        params.push(limit);
        for (const row of ctx.prepare(sql).pluck().all(...params) as number[]) times.push(row);
      }
    }
  });
  return times.sort((a, b) => a - b).slice(0, limit);
}

export function claimDue(ctx: SqliteContext, request: ClaimRequest): Written<ClaimedJob[]> {
  const { lane, now, owner } = request;
  const taskFilter = lane.target === 'task' ? 'AND task_name IN (SELECT value FROM json_each(?))' : '';
  const status = request.as ?? 'running';
  const sql = `UPDATE jobs SET status = '${status}', attempts = attempts + 1, lease_owner = ?, lease_until = ?,
      started_at = ${status === 'running' ? '?' : 'NULL'}, worker_id = ?
    WHERE seq IN (SELECT seq FROM jobs WHERE queue = ? AND status IN ('pending', 'retrying') AND run_at <= ?
      ${taskFilter} ORDER BY priority, run_at LIMIT ?)
    RETURNING *`;
  return ctx.write(() => {
    const rows: JobRow[] = [];
    for (const queue of laneQueues(lane)) {
      const remaining = Math.min(request.limit - rows.length, queueCapacity(ctx, queue));
      if (request.limit - rows.length <= 0) break;
      if (remaining <= 0) continue;
      const params: unknown[] = [owner, now + request.leaseMs, ...(status === 'running' ? [now] : []), owner, queue, request.dueBy ?? now];
      if (lane.target === 'task') params.push(JSON.stringify(lane.tasks));
      params.push(remaining);
      rows.push(...(ctx.prepare(sql).all(...params) as JobRow[]));
    }
    // RETURNING gives no order; hand jobs out in claim order.
    rows.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at);
    const signals: DueSignal[] = [];
    const jobs = rows.map((row): ClaimedJob => {
      const job = jobFromRow(row);
      let deliver = true;
      if (row.schedule_id !== null) {
        const advanced = advanceSchedule(ctx, row.schedule_id, row.occurrence, now, request.planNext, null);
        if (advanced) {
          deliver = advanced.deliver;
          if (advanced.signal) signals.push(advanced.signal);
        }
      }
      return { ...job, deliver };
    });
    return { value: jobs, signals };
  });
}

/** Leases on the SQLite store: extend, release, start, cancel requests and reaping. */
import { statusAfterLostLease } from '../../core/job-status-rules.js';
import type { Written } from '../store-ops.js';
import type { DueSignal, ReapRequest, ReapedJob } from '../store.js';
import { finishScheduleIfDone } from './advance-schedules.js';
import type { SqliteContext } from './context.js';
import { BOUND_LIMIT } from './sql-spellings.js';
import { INSERT_HISTORY_SQL, type JobRow } from './rows.js';

export function extendLeases(ctx: SqliteContext, owner: string, jobIds: readonly string[], until: number): string[] {
  return ctx.write(
    () =>
      ctx
        .prepare(
          `UPDATE jobs SET lease_until = ? WHERE lease_owner = ? AND status IN ('reserved', 'running')
           AND id IN (SELECT value FROM json_each(?)) RETURNING id`,
        )
        .pluck()
        .all(until, owner, JSON.stringify(jobIds)) as string[],
  );
}

export function releaseLeases(ctx: SqliteContext, owner: string, jobIds: readonly string[], now: number): DueSignal[] {
  return ctx.write(() => {
    const rows = ctx
      .prepare(
        `UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), run_at = ?, lease_owner = NULL,
           lease_until = NULL WHERE lease_owner = ? AND status IN ('reserved', 'running')
           AND id IN (SELECT value FROM json_each(?)) RETURNING target, queue`,
      )
      .all(now, owner, JSON.stringify(jobIds)) as Pick<JobRow, 'target' | 'queue'>[];
    return ctx.publish(rows.map((row) => ({ target: row.target, queue: row.queue, runAt: now })));
  });
}

export function startJobs(ctx: SqliteContext, owner: string, jobIds: readonly string[], now: number): void {
  ctx.write(() =>
    ctx
      .prepare(
        `UPDATE jobs SET status = 'running', started_at = ? WHERE lease_owner = ? AND status = 'reserved'
         AND id IN (SELECT value FROM json_each(?))`,
      )
      .run(now, owner, JSON.stringify(jobIds)),
  );
}

export function cancelRequested(ctx: SqliteContext, jobIds: readonly string[]): string[] {
  return ctx.read(
    () =>
      ctx
        .prepare(`SELECT id FROM jobs WHERE cancel_requested = 1 AND id IN (SELECT value FROM json_each(?))`)
        .pluck()
        .all(JSON.stringify(jobIds)) as string[],
  );
}

/**
 * Takes back jobs whose lease ran out. A dead lease counts as a failed attempt: the job
 * waits again at once if its policy allows another attempt, else it fails (a cancel that
 * arrived meanwhile wins and ends it as cancelled).
 */
export function reapExpiredLeases(ctx: SqliteContext, request: ReapRequest): Written<ReapedJob[]> {
  return ctx.write(() => {
    const takeBack = request.takeBack;
    const holders =
      takeBack === undefined ? '' : 'owners' in takeBack
        ? ' OR lease_owner IN (SELECT value FROM json_each(?))'
        : ' OR COALESCE(lease_owner, \'\') NOT IN (SELECT value FROM json_each(?))';
    const owners = takeBack === undefined ? [] : [JSON.stringify('owners' in takeBack ? takeBack.owners : takeBack.allExcept)];
    const expired = ctx
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('reserved', 'running') AND (lease_until < ?${holders}) ORDER BY lease_until LIMIT ${BOUND_LIMIT}`,
      )
      .all(request.now, ...owners, request.limit) as JobRow[];
    const reaped: ReapedJob[] = [];
    const signals: DueSignal[] = [];
    for (const row of expired) {
      const status = statusAfterLostLease({ cancelRequested: row.cancel_requested === 1, attempts: row.attempts, maxRetries: row.max_retries });
      const final = status !== 'pending';
      const error = { message: `lease held by ${row.lease_owner} ${row.lease_until! < request.now ? 'expired' : 'taken back from a dead holder'}`, type: 'LeaseExpired', traceback: null };
      ctx
        .prepare(
          `UPDATE jobs SET status = ?, run_at = ?, lease_owner = NULL, lease_until = NULL, completed_at = ?, error = ?
           WHERE id = ?`,
        )
        .run(status, request.now, final ? request.now : null, JSON.stringify(error), row.id);
      ctx
        .prepare(INSERT_HISTORY_SQL)
        .run(row.id, row.schedule_id, row.name, row.occurrence, row.started_at ?? request.now, row.attempts,
          'lease_expired', null, request.now - (row.started_at ?? request.now), error.message, row.worker_id, null);
      if (final && row.schedule_id !== null) finishScheduleIfDone(ctx, row.schedule_id, status, request.now);
      if (!final) signals.push({ target: row.target, queue: row.queue, runAt: request.now });
      reaped.push({ jobId: row.id, previousOwner: row.lease_owner, status });
    }
    return { value: reaped, signals: ctx.publish(signals) };
  });
}


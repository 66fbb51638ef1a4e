/**
 * The engine's transitions on the SQLite store: peek, claim (with the next occurrence
 * materialised in the same transaction), outcomes, lease extension and reaping.
 */
import { CALLBACK_QUEUE, FINAL_STATUSES, type ClaimedJob, type JobStatus } from '../../core/types.js';
import { occurrenceJob } from '../occurrence-job.js';
import { finishedScheduleStatus } from '../schedule-end.js';
import type { ClaimRequest, DueSignal, JobOutcome, Lane, PlanNext, ReapRequest, ReapedJob } from '../store.js';
import type { SqliteContext } from './context.js';
import { queueCapacity, queueSettings } from './platform.js';
import {
  CURSOR_COLUMNS,
  INSERT_JOB_IF_NEW_SQL,
  cursorFromRow,
  jobFromRow,
  jobInsertValues,
  scheduleFromRow,
  type CursorRow,
  type JobRow,
  type ScheduleRow,
} from './rows.js';

const FINAL_SQL = FINAL_STATUSES.map((s) => `'${s}'`).join(', ');

export function laneQueues(lane: Lane): readonly string[] {
  return lane.target === 'callback' ? [CALLBACK_QUEUE] : lane.queues;
}

/**
 * Due times without DISTINCT: a burst of 100k jobs at one instant returns `limit` equal
 * times in O(limit), and the caller treats the last one as its horizon.
 */
export function peekDueTimes(ctx: SqliteContext, lane: Lane, until: number, limit: number): number[] {
  const taskFilter = lane.target === 'task' ? 'AND task_name IN (SELECT value FROM json_each(?))' : '';
  const sql = `SELECT run_at FROM jobs WHERE queue = ? AND priority = ? AND status IN ('pending', 'retrying')
    AND run_at <= ? ${taskFilter} ORDER BY run_at LIMIT ?`;
  const times: number[] = [];
  ctx.read(() => {
    for (const queue of laneQueues(lane)) {
      if (queueSettings(ctx, queue)?.paused) continue;
      // One pass per priority keeps each scan on the (queue, priority, run_at) index order.
      for (let priority = 0; priority < 4; priority++) {
        const params: unknown[] = [queue, priority, until];
        if (lane.target === 'task') params.push(JSON.stringify(lane.tasks));
        params.push(limit);
        for (const row of ctx.prepare(sql).pluck().all(...params) as number[]) times.push(row);
      }
    }
  });
  return times.sort((a, b) => a - b).slice(0, limit);
}

export interface ClaimResult {
  jobs: ClaimedJob[];
  signals: DueSignal[];
}

export function claimDue(ctx: SqliteContext, request: ClaimRequest): ClaimResult {
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
    return { jobs, signals };
  });
}

interface Advance {
  deliver: boolean;
  signal: DueSignal | null;
}

/**
 * Moves a schedule past `occurrence`: counts the firing, records last_run_at and inserts the
 * next occurrence. Idempotent: an occurrence at or before `last_occurrence` was already
 * advanced past (a retry or a re-claim after a lost lease), so nothing changes.
 * `forceDeliver: false` (a cancelled occurrence) advances without counting a firing.
 */
export function advanceSchedule(
  ctx: SqliteContext,
  scheduleId: string,
  occurrence: number,
  now: number,
  planNext: PlanNext,
  forceDeliver: boolean | null,
): Advance | null {
  // The cursor only: the template (the job's payload, possibly large) is read and parsed
  // only when there is a next occurrence to make of it, which one-shot jobs never have.
  const row = ctx.prepare(`SELECT ${CURSOR_COLUMNS} FROM schedules WHERE id = ?`).get(scheduleId) as CursorRow | undefined;
  if (!row || row.status !== 'active') return null;
  if (row.last_occurrence !== null && occurrence <= row.last_occurrence) return null;
  const plan = planNext(cursorFromRow(row), occurrence, now);
  const deliver = forceDeliver ?? plan.deliver;
  let signal: DueSignal | null = null;
  if (plan.next !== null) {
    const templateRow = ctx.prepare('SELECT * FROM schedules WHERE id = ?').get(scheduleId) as ScheduleRow;
    const next = occurrenceJob(scheduleFromRow(templateRow), plan.next, now);
    const inserted = ctx.prepare(INSERT_JOB_IF_NEW_SQL).run(...jobInsertValues(next));
    if (inserted.changes > 0) signal = { target: next.target, queue: next.queue, runAt: next.runAt };
  }
  ctx
    .prepare(
      `UPDATE schedules SET fire_count = fire_count + ?, last_occurrence = ?,
         last_run_at = CASE WHEN ? THEN ? ELSE last_run_at END, next_run_at = ?, updated_at = ? WHERE id = ?`,
    )
    // Claimed ahead of its time (dueBy), it fires at its occurrence; claimed late, about now.
    .run(deliver ? 1 : 0, occurrence, deliver ? 1 : 0, Math.max(now, occurrence), plan.next, now, scheduleId);
  return { deliver, signal };
}

/** When a schedule's last occurrence ends, the schedule ends with it. */
export function finishScheduleIfDone(ctx: SqliteContext, scheduleId: string, lastStatus: JobStatus, now: number): void {
  const row = ctx.prepare(`SELECT ${CURSOR_COLUMNS}, next_run_at FROM schedules WHERE id = ?`).get(scheduleId) as
    | (CursorRow & { next_run_at: number | null })
    | undefined;
  if (!row || row.status !== 'active' || row.next_run_at !== null) return;
  const open = ctx
    .prepare(`SELECT 1 FROM jobs WHERE schedule_id = ? AND status NOT IN (${FINAL_SQL}) LIMIT 1`)
    .get(scheduleId);
  if (open) return;
  const status = finishedScheduleStatus(cursorFromRow(row), lastStatus);
  ctx.prepare('UPDATE schedules SET status = ?, updated_at = ? WHERE id = ?').run(status, now, scheduleId);
}

const INSERT_HISTORY_SQL = `INSERT INTO history (job_id, schedule_id, name, occurrence, fired_at, attempt, outcome,
  http_status, duration_ms, error, worker_id, response) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

export function recordOutcomes(ctx: SqliteContext, outcomes: readonly JobOutcome[]): DueSignal[] {
  const signals: DueSignal[] = [];
  ctx.write(() => {
    const update = ctx.prepare(
      `UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), lease_owner = NULL, lease_until = NULL,
         completed_at = ?, result = ?, error = ?, started_at = COALESCE(started_at, ?)
       WHERE id = ? AND lease_owner = ? AND status IN ('reserved', 'running')
       RETURNING schedule_id, name, occurrence, attempts, worker_id, target, queue`,
    );
    for (const o of outcomes) {
      const retrying = o.status === 'retrying';
      const row = update.get(
        o.status,
        retrying ? (o.retryAt ?? o.finishedAt) : null,
        retrying ? null : o.finishedAt,
        o.result ?? null,
        o.error ? JSON.stringify(o.error) : null,
        o.startedAt ?? null,
        o.jobId,
        o.owner,
      ) as Pick<JobRow, 'schedule_id' | 'name' | 'occurrence' | 'attempts' | 'worker_id' | 'target' | 'queue'> | undefined;
      if (!row) continue; // the lease was lost: someone else owns the job now
      if (o.attempt) {
        ctx
          .prepare(INSERT_HISTORY_SQL)
          .run(
          o.jobId,
          row.schedule_id,
          row.name,
          row.occurrence,
          o.attempt.firedAt,
          row.attempts,
          o.attempt.outcome,
          o.attempt.httpStatus,
          o.attempt.durationMs,
            o.attempt.error,
            row.worker_id,
            o.attempt.response ?? null,
          );
      }
      if (retrying) signals.push({ target: row.target, queue: row.queue, runAt: o.retryAt ?? o.finishedAt });
      else if (row.schedule_id !== null) finishScheduleIfDone(ctx, row.schedule_id, o.status, o.finishedAt);
    }
  });
  return signals;
}

export function extendLeases(ctx: SqliteContext, owner: string, jobIds: readonly string[], until: number): string[] {
  if (jobIds.length === 0) return [];
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
  if (jobIds.length === 0) return [];
  const rows = ctx.write(
    () =>
      ctx
        .prepare(
          `UPDATE jobs SET status = 'pending', attempts = MAX(attempts - 1, 0), run_at = ?, lease_owner = NULL,
             lease_until = NULL WHERE lease_owner = ? AND status IN ('reserved', 'running')
             AND id IN (SELECT value FROM json_each(?)) RETURNING target, queue`,
        )
        .all(now, owner, JSON.stringify(jobIds)) as Pick<JobRow, 'target' | 'queue'>[],
  );
  return rows.map((row) => ({ target: row.target, queue: row.queue, runAt: now }));
}

export function startJobs(ctx: SqliteContext, owner: string, jobIds: readonly string[], now: number): void {
  if (jobIds.length === 0) return;
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
  if (jobIds.length === 0) return [];
  return ctx.read(
    () =>
      ctx
        .prepare(`SELECT id FROM jobs WHERE cancel_requested = 1 AND id IN (SELECT value FROM json_each(?))`)
        .pluck()
        .all(JSON.stringify(jobIds)) as string[],
  );
}

export interface ReapResult {
  reaped: ReapedJob[];
  signals: DueSignal[];
}

/**
 * Takes back jobs whose lease ran out. A dead lease counts as a failed attempt: the job
 * waits again at once if its policy allows another attempt, else it fails (a cancel that
 * arrived meanwhile wins and ends it as cancelled).
 */
export function reapExpiredLeases(ctx: SqliteContext, request: ReapRequest): ReapResult {
  return ctx.write(() => {
    const takeBack = request.takeBack;
    const holders =
      takeBack === undefined ? '' : 'owners' in takeBack
        ? ' OR lease_owner IN (SELECT value FROM json_each(?))'
        : ' OR COALESCE(lease_owner, \'\') NOT IN (SELECT value FROM json_each(?))';
    const owners = takeBack === undefined ? [] : [JSON.stringify('owners' in takeBack ? takeBack.owners : takeBack.allExcept)];
    const expired = ctx
      .prepare(
        `SELECT * FROM jobs WHERE status IN ('reserved', 'running') AND (lease_until < ?${holders}) ORDER BY lease_until LIMIT ?`,
      )
      .all(request.now, ...owners, request.limit) as JobRow[];
    const reaped: ReapedJob[] = [];
    const signals: DueSignal[] = [];
    for (const row of expired) {
      const retry = row.max_retries === null || row.attempts <= row.max_retries;
      const status: JobStatus = row.cancel_requested ? 'cancelled' : retry ? 'pending' : 'failed';
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
      reaped.push({ jobId: row.id, previousOwner: row.lease_owner, status: status as ReapedJob['status'] });
    }
    return { reaped, signals };
  });
}

/** Job queries and user-driven job changes (insert, cancel, retry) of the SQLite store. */
import { chimeError } from '../../core/errors.js';
import { assertRetryable, cancelledError, cancelStep } from '../../core/job-status-rules.js';
import { PRIORITY_RANK, type HistoryEntry, type JobRecord } from '../../core/types.js';
import { dueSignalsOf } from '../due-signals.js';
import { JOB_ORDER_COLUMNS, jobOrderValue, keysetAfterSql, nextKeyset } from '../job-order.js';
import type { Written } from '../store-ops.js';
import type { DueSignal, HistoryQuery, JobPage, JobQuery, NewJob, PlanNext } from '../store.js';
import { historyFromRow, type HistoryRow } from '../history-row.js';
import { isUniqueViolation, type SqliteContext } from './context.js';
import { INSERT_CHUNK_ROWS, INSERT_JOB_SQL, INSERT_JOBS_CHUNK_SQL, jobFromRow, jobInsertValues, type JobRow } from './rows.js';
import { advanceSchedule, finishScheduleIfDone } from './advance-schedules.js';
import { BOUND_LIMIT, FINISHED_JOB_SQL, FINISHED_SCHEDULE_SQL } from './sql-spellings.js';
import { listSliceOf } from './list-slices.js';

export function insertJobs(ctx: SqliteContext, jobs: readonly NewJob[]): Promise<DueSignal[]> {
  return ctx.groupWrite(() => {
    let next = 0;
    if (jobs.length >= INSERT_CHUNK_ROWS) {
      const insertChunk = ctx.prepare(INSERT_JOBS_CHUNK_SQL);
      const values: unknown[] = [];
      for (; next + INSERT_CHUNK_ROWS <= jobs.length; next += INSERT_CHUNK_ROWS) {
        values.length = 0;
        for (let i = next; i < next + INSERT_CHUNK_ROWS; i++) values.push(...jobInsertValues(jobs[i]!));
        try {
          insertChunk.run(values);
        } catch (error) {
          // A statement fails whole: this chunk's rows go one at a time below, to name the job.
          if (!isUniqueViolation(error)) throw error;
          break;
        }
      }
    }
    const insert = ctx.prepare(INSERT_JOB_SQL);
    for (; next < jobs.length; next++) {
      const job = jobs[next]!;
      try {
        insert.run(...jobInsertValues(job));
      } catch (error) {
        if (isUniqueViolation(error)) throw chimeError('JOB_ID_EXISTS', { id: job.id });
        throw error;
      }
    }
    return ctx.publish(dueSignalsOf(jobs));
  });
}

export function getJob(ctx: SqliteContext, id: string): JobRecord | null {
  const row = ctx.read(() => ctx.rows('SELECT * FROM jobs WHERE id = ?').get(id)) as JobRow | undefined;
  return row ? jobFromRow(row) : null;
}

// Insertion order is creation order, and the rowid needs no index.
const ORDER_COLUMNS = { ...JOB_ORDER_COLUMNS, created_at: 'seq' };

export function listJobs(ctx: SqliteContext, query: JobQuery): JobPage | Promise<JobPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const equal = (column: string, value: unknown): void => {
    where.push(`${column} = ?`);
    params.push(value);
  };
  const slice = listSliceOf(query);
  if (query.target && !slice?.coversTarget) equal('target', query.target);
  if (slice) where.push(`(${slice.predicate})`);
  if (query.dialect) equal('dialect', query.dialect);
  if (query.scheduleId) equal('schedule_id', query.scheduleId);
  if (query.name) equal('name', query.name);
  if (query.queue) equal('queue', query.queue);
  if (query.priority) equal('priority', PRIORITY_RANK[query.priority]);
  if (query.workerId) equal('worker_id', query.workerId);
  if (!slice && query.statuses && query.statuses.length > 0) {
    where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
    params.push(...query.statuses);
  }
  for (const tag of query.tags ?? []) {
    where.push('EXISTS (SELECT 1 FROM json_each(jobs.tags) WHERE value = ?)');
    params.push(tag);
  }
  const from = slice ? `jobs INDEXED BY ${slice.index}` : 'jobs';
  const filterSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const filters = [...params];
  const column = ORDER_COLUMNS[query.orderBy];
  if (query.after) {
    where.push(keysetAfterSql(column, 'seq', query.orderDir, query.after, (value) => (params.push(value), '?')));
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const direction = query.orderDir === 'asc' ? 'ASC' : 'DESC';
  const order = `ORDER BY ${column} ${direction}, seq ${direction}`;
  const page = ctx.read(() => {
    const rows = ctx
      .rows(`SELECT * FROM ${from} ${whereSql} ${order} LIMIT ${BOUND_LIMIT} OFFSET ?`)
      .all(...params, query.limit, query.offset) as JobRow[];
    const items = rows.map(jobFromRow);
    // The row's own sort value: created_at orders by the rowid here.
    const next = nextKeyset(rows, query.limit, (row) => ({ value: column === 'seq' ? row.seq : jobOrderValue(jobFromRow(row), query.orderBy), tie: row.seq }));
    return { items, next };
  });
  // The total counts every match, so it is a scan (off this thread); the page is an index walk.
  const total = query.skipTotal ? null : ctx.scanValue<number>(`SELECT COUNT(*) FROM ${from} ${filterSql}`, filters);
  if (total === null) return { items: page.items, total, next: page.next };
  return total.then((n) => ({ items: page.items, total: n, next: page.next }));
}

export function cancelJob(
  ctx: SqliteContext,
  id: string,
  reason: string | null,
  now: number,
  planNext: PlanNext,
): Promise<Written<JobRecord | null>> {
  return ctx.groupWrite(() => {
    const row = ctx.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) return { value: null, signals: [] };
    const signals: DueSignal[] = [];
    if (cancelStep(id, row.status) === 'now') {
      const error = cancelledError(reason);
      ctx
        .prepare(`UPDATE jobs SET status = 'cancelled', completed_at = ?, error = ? WHERE id = ?`)
        .run(now, JSON.stringify(error), id);
      if (row.schedule_id !== null) {
        const advanced = advanceSchedule(ctx, row.schedule_id, row.occurrence, now, planNext, false);
        if (advanced?.signal) signals.push(advanced.signal);
        finishScheduleIfDone(ctx, row.schedule_id, 'cancelled', now);
      }
    } else {
      ctx.prepare('UPDATE jobs SET cancel_requested = 1 WHERE id = ?').run(id);
    }
    const after = ctx.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;
    return { value: jobFromRow(after), signals: ctx.publish(signals) };
  });
}

export function retryJob(ctx: SqliteContext, id: string, now: number): Promise<Written<JobRecord | null>> {
  return ctx.groupWrite(() => {
    const row = ctx.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    if (!row) return { value: null, signals: [] };
    assertRetryable(id, row.status);
    ctx
      .prepare(
        `UPDATE jobs SET status = 'pending', attempts = 0, run_at = ?, completed_at = NULL, result = NULL,
           error = NULL, cancel_requested = 0, lease_owner = NULL, lease_until = NULL WHERE id = ?`,
      )
      .run(now, id);
    if (row.schedule_id !== null) {
      // A dead-lettered last occurrence had ended its schedule; retrying it revives the schedule.
      ctx.prepare(`UPDATE schedules SET status = 'active', updated_at = ? WHERE id = ? AND status = 'failed'`).run(now, row.schedule_id);
    }
    const after = ctx.prepare('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow;
    return { value: jobFromRow(after), signals: ctx.publish([{ target: row.target, queue: row.queue, runAt: now }]) };
  });
}

export function listHistory(ctx: SqliteContext, query: HistoryQuery): HistoryEntry[] {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.scheduleId) {
    where.push('schedule_id = ?');
    params.push(query.scheduleId);
  }
  if (query.jobId) {
    where.push('job_id = ?');
    params.push(query.jobId);
  }
  if (query.beforeId !== undefined) {
    where.push('id < ?');
    params.push(query.beforeId);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const rows = ctx.read(() =>
    ctx.prepare(`SELECT * FROM history ${whereSql} ORDER BY id DESC LIMIT ${BOUND_LIMIT}`).all(...params, query.limit),
  ) as HistoryRow[];
  return rows.map(historyFromRow);
}

/** Finished jobs (parameters: before, limit), through jobs_finished. */
export const PURGE_JOB_IDS_SQL = `SELECT id FROM jobs WHERE (${FINISHED_JOB_SQL}) AND completed_at < ? LIMIT ${BOUND_LIMIT}`;
/** Finished schedules (parameters: before, limit), through schedules_finished. */
export const PURGE_SCHEDULES_SQL = `DELETE FROM schedules WHERE id IN (SELECT id FROM schedules WHERE (${FINISHED_SCHEDULE_SQL})
  AND updated_at < ? LIMIT ${BOUND_LIMIT})`;

export function purgeFinished(ctx: SqliteContext, before: number, limit: number): number {
  return ctx.write(() => {
    const ids = ctx.prepare(PURGE_JOB_IDS_SQL).pluck().all(before, limit) as string[];
    if (ids.length > 0) {
      const list = JSON.stringify(ids);
      ctx.prepare('DELETE FROM history WHERE job_id IN (SELECT value FROM json_each(?))').run(list);
      ctx.prepare('DELETE FROM jobs WHERE id IN (SELECT value FROM json_each(?))').run(list);
    }
    // History of jobs that live on (a long-running schedule's early firings) ages out too.
    ctx.prepare(`DELETE FROM history WHERE fired_at < ? AND id IN (SELECT id FROM history WHERE fired_at < ? LIMIT ${BOUND_LIMIT})`).run(before, before, limit);
    ctx.prepare(PURGE_SCHEDULES_SQL).run(before, limit);
    return ids.length;
  });
}

export function deleteFinishedJob(ctx: SqliteContext, id: string): Promise<boolean> {
  return ctx.groupWrite(() => {
    const deleted = ctx.prepare(`DELETE FROM jobs WHERE id = ? AND (${FINISHED_JOB_SQL})`).run(id).changes > 0;
    if (deleted) ctx.prepare('DELETE FROM history WHERE job_id = ?').run(id);
    return deleted;
  });
}

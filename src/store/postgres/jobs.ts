/** Job queries and user-driven changes (cancel, retry), history and retention. */
import { assertRetryable, cancelledError, cancelStep } from '../../core/job-status-rules.js';
import { PRIORITY_RANK, type HistoryEntry, type JobRecord } from '../../core/types.js';
import { JOB_ORDER_COLUMNS, jobOrderValue, keysetAfterSql, nextKeyset } from '../job-order.js';
import type { Written } from '../store-ops.js';
import type { DueSignal, HistoryQuery, JobPage, JobQuery, NewJob, PlanNext } from '../store.js';
import { historyFromRow, type HistoryRow } from '../history-row.js';
import { advanceSchedules, finishSchedules } from './advance-schedules.js';
import type { PgDatabase } from './context.js';
import { notifyDue } from './due-channel.js';
import { FINAL_SQL, HISTORY_COLUMNS, jobColumns, jobFromRow, type JobRow } from './rows.js';

export async function getJob(db: PgDatabase, id: string): Promise<JobRecord | null> {
  const [row] = await db.query<JobRow>(`SELECT ${jobColumns()} FROM ${db.s}.jobs WHERE id = $1`, [id]);
  return row ? jobFromRow(row) : null;
}

const ORDER_COLUMNS = JOB_ORDER_COLUMNS;

export async function listJobs(db: PgDatabase, query: JobQuery): Promise<JobPage> {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  if (query.target) where.push(`target = ${bind(query.target)}`);
  if (query.dialect) where.push(`dialect = ${bind(query.dialect)}`);
  if (query.scheduleId) where.push(`schedule_id = ${bind(query.scheduleId)}`);
  if (query.name) where.push(`name = ${bind(query.name)}`);
  if (query.queue) where.push(`queue = ${bind(query.queue)}`);
  if (query.priority) where.push(`priority = ${bind(PRIORITY_RANK[query.priority])}`);
  if (query.workerId) where.push(`worker_id = ${bind(query.workerId)}`);
  if (query.statuses && query.statuses.length > 0) where.push(`status = ANY(${bind(query.statuses)}::text[])`);
  if (query.tags && query.tags.length > 0) where.push(`tags @> ${bind(JSON.stringify(query.tags))}::jsonb`);
  const filterSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const filters = [...params];
  const column = ORDER_COLUMNS[query.orderBy];
  if (query.after) where.push(keysetAfterSql(column, 'id', query.orderDir, query.after, bind));
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  // NULLs sort as SQLite sorts them: smallest.
  const direction = query.orderDir === 'asc' ? 'ASC NULLS FIRST' : 'DESC NULLS LAST';
  const order = `ORDER BY ${column} ${direction}, id ${query.orderDir === 'asc' ? 'ASC' : 'DESC'}`;
  const page = `SELECT ${jobColumns()} FROM ${db.s}.jobs ${whereSql} ${order} LIMIT ${bind(query.limit)} OFFSET ${bind(query.offset)}`;
  const [rows, counted] = await Promise.all([
    db.query<JobRow>(page, params, { prepare: false }),
    query.skipTotal ? null : db.query<{ n: number }>(`SELECT count(*) AS n FROM ${db.s}.jobs ${filterSql}`, filters, { prepare: false }),
  ]);
  const items = rows.map(jobFromRow);
  const next = nextKeyset(items, query.limit, (job) => ({ value: jobOrderValue(job, query.orderBy), tie: job.id }));
  return { items, total: counted ? (counted[0]?.n ?? 0) : null, next };
}

/** Inserts go through the connection's batcher (insert-jobs.ts): one statement per turn. */
export function insertJobs(db: PgDatabase, jobs: readonly NewJob[]): Promise<DueSignal[]> {
  return db.inserts.insert(jobs);
}

export async function cancelJob(
  db: PgDatabase,
  id: string,
  reason: string | null,
  now: number,
  planNext: PlanNext,
): Promise<Written<JobRecord | null>> {
  return db.transaction(async (tx) => {
    // Waits for a claim holding the row, then sees what it made of the job.
    const [row] = await tx.query<JobRow>(`SELECT ${jobColumns()} FROM ${db.s}.jobs WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) return { value: null, signals: [] };
    let signals: DueSignal[] = [];
    let after: JobRow | undefined;
    if (cancelStep(id, row.status) === 'now') {
      const error = cancelledError(reason);
      [after] = await tx.query<JobRow>(
        `UPDATE ${db.s}.jobs SET status = 'cancelled', completed_at = $2, error = $3::jsonb WHERE id = $1 RETURNING ${jobColumns()}`,
        [id, now, JSON.stringify(error)],
      );
      if (row.schedule_id !== null) {
        const item = { jobId: id, scheduleId: row.schedule_id, occurrence: row.occurrence };
        signals = (await advanceSchedules(db, tx, [item], now, planNext, false)).signals;
        await finishSchedules(db, tx, [{ scheduleId: row.schedule_id, lastStatus: 'cancelled', at: now }]);
      }
    } else {
      [after] = await tx.query<JobRow>(
        `UPDATE ${db.s}.jobs SET cancel_requested = true WHERE id = $1 RETURNING ${jobColumns()}`,
        [id],
      );
    }
    return { value: jobFromRow(after!), signals };
  });
}

export async function retryJob(db: PgDatabase, id: string, now: number): Promise<Written<JobRecord | null>> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<JobRow>(`SELECT ${jobColumns()} FROM ${db.s}.jobs WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) return { value: null, signals: [] };
    assertRetryable(id, row.status);
    const [after] = await tx.query<JobRow>(
      `UPDATE ${db.s}.jobs SET status = 'pending', attempts = 0, run_at = $2, completed_at = NULL, result = NULL,
         error = NULL, cancel_requested = false, lease_owner = NULL, lease_until = NULL WHERE id = $1
       RETURNING ${jobColumns()}`,
      [id, now],
    );
    if (row.schedule_id !== null) {
      // A dead-lettered last occurrence had ended its schedule; retrying it revives the schedule.
      await tx.query(`UPDATE ${db.s}.schedules SET status = 'active', updated_at = $2 WHERE id = $1 AND status = 'failed'`, [
        row.schedule_id,
        now,
      ]);
    }
    const signals: DueSignal[] = [{ target: row.target, queue: row.queue, runAt: now }];
    await notifyDue(tx, db.channel, db.origin, signals);
    return { value: jobFromRow(after!), signals };
  });
}

export async function listHistory(db: PgDatabase, query: HistoryQuery): Promise<HistoryEntry[]> {
  const where: string[] = [];
  const params: unknown[] = [];
  if (query.scheduleId) {
    params.push(query.scheduleId);
    where.push(`schedule_id = $${params.length}`);
  }
  if (query.jobId) {
    params.push(query.jobId);
    where.push(`job_id = $${params.length}`);
  }
  if (query.beforeId !== undefined) {
    params.push(query.beforeId);
    where.push(`id < $${params.length}`);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  params.push(query.limit);
  const rows = await db.query<HistoryRow>(
    `SELECT ${HISTORY_COLUMNS} FROM ${db.s}.history ${whereSql} ORDER BY id DESC LIMIT $${params.length}`,
    params,
    { prepare: false },
  );
  return rows.map(historyFromRow);
}

export async function purgeFinished(db: PgDatabase, before: number, limit: number): Promise<number> {
  return db.transaction(async (tx) => {
    // SKIP LOCKED: a job someone is retrying right now is left for the next round.
    const ids = (
      await tx.query<{ id: string }>(
        `SELECT id FROM ${db.s}.jobs WHERE status IN (${FINAL_SQL}) AND completed_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED`,
        [before, limit],
      )
    ).map((row) => row.id);
    if (ids.length > 0) {
      await tx.query(`DELETE FROM ${db.s}.history WHERE job_id = ANY($1::text[])`, [ids]);
      await tx.query(`DELETE FROM ${db.s}.jobs WHERE id = ANY($1::text[])`, [ids]);
    }
    // History of jobs that live on (a long-running schedule's early firings) ages out too.
    await tx.query(
      `DELETE FROM ${db.s}.history WHERE id IN (SELECT id FROM ${db.s}.history WHERE fired_at < $1 LIMIT $2)`,
      [before, limit],
    );
    await tx.query(
      `DELETE FROM ${db.s}.schedules WHERE id IN (SELECT id FROM ${db.s}.schedules
         WHERE status IN ('completed', 'expired', 'failed') AND updated_at < $1 LIMIT $2 FOR UPDATE SKIP LOCKED)`,
      [before, limit],
    );
    return ids.length;
  });
}

export async function deleteFinishedJob(db: PgDatabase, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const rows = await tx.query<{ id: string }>(`DELETE FROM ${db.s}.jobs WHERE id = $1 AND status IN (${FINAL_SQL}) RETURNING id`, [id]);
    if (rows.length > 0) await tx.query(`DELETE FROM ${db.s}.history WHERE job_id = $1`, [id]);
    return rows.length > 0;
  });
}

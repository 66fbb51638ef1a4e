/** Lease upkeep: extend, start reserved jobs, hand back unrun, reap the dead, and cancel checks. */
import type { JobStatus } from '../../core/types.js';
import type { Written } from '../store-ops.js';
import type { DueSignal, ReapRequest, ReapedJob } from '../store.js';
import { finishSchedules, type EndedOccurrence } from './advance-schedules.js';
import type { PgDatabase } from './context.js';
import { notifyDue } from './due-channel.js';
import type { JobRow } from './rows.js';

/** `found` in the order the caller asked for them. */
function inRequestOrder(asked: readonly string[], found: readonly string[]): string[] {
  const set = new Set(found);
  return asked.filter((id) => set.has(id));
}

export async function extendLeases(db: PgDatabase, owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `UPDATE ${db.s}.jobs SET lease_until = $3
     WHERE id = ANY($1::text[]) AND lease_owner = $2 AND status IN ('reserved', 'running') RETURNING id`,
    [jobIds, owner, until],
  );
  return inRequestOrder(jobIds, rows.map((row) => row.id));
}

/** Hands jobs back unrun: they wait again at `now` and the attempt is not counted. */
export async function releaseLeases(db: PgDatabase, owner: string, jobIds: readonly string[], now: number): Promise<DueSignal[]> {
  const rows = await db.query<Pick<JobRow, 'target' | 'queue'>>(
    `WITH released AS (
      UPDATE ${db.s}.jobs SET status = 'pending', attempts = GREATEST(attempts - 1, 0), run_at = $3, lease_owner = NULL,
        lease_until = NULL
      WHERE id = ANY($1::text[]) AND lease_owner = $2 AND status IN ('reserved', 'running')
      RETURNING target, queue
    )
    SELECT target, queue,
      pg_notify($4, json_build_object('target', target, 'queue', queue, 'runAt', $3::bigint, 'origin', $5::text)::text)
    FROM released GROUP BY target, queue`,
    [jobIds, owner, now, db.channel, db.origin],
  );
  return rows.map((row) => ({ target: row.target, queue: row.queue, runAt: now }));
}

export async function startJobs(db: PgDatabase, owner: string, jobIds: readonly string[], now: number): Promise<void> {
  await db.query(
    `UPDATE ${db.s}.jobs SET status = 'running', started_at = $3
     WHERE id = ANY($1::text[]) AND lease_owner = $2 AND status = 'reserved'`,
    [jobIds, owner, now],
  );
}

export async function cancelRequested(db: PgDatabase, jobIds: readonly string[]): Promise<string[]> {
  const rows = await db.query<{ id: string }>(
    `SELECT id FROM ${db.s}.jobs WHERE id = ANY($1::text[]) AND cancel_requested`,
    [jobIds],
  );
  return inRequestOrder(jobIds, rows.map((row) => row.id));
}

type ReapedRow = Pick<JobRow, 'id' | 'schedule_id' | 'target' | 'queue' | 'status'> & {
  previous_owner: string | null;
  expired_at: number;
};

/**
 * Takes back jobs whose lease ran out, in one statement: SKIP LOCKED leaves alone a job
 * whose outcome is being written right now (its owner is alive after all), and several
 * nodes' reapers split the work instead of queueing on each other. A dead lease counts as a
 * failed attempt: the job waits again at once if its policy allows another attempt, else it
 * fails (a cancel that arrived meanwhile wins and ends it as cancelled).
 */
/** $3 owners whose leases come back, $4 whether all but $5's do. */
function takeBackParams(request: ReapRequest): [string[], boolean, string[]] {
  const takeBack = request.takeBack;
  if (takeBack === undefined) return [[], false, []];
  return 'owners' in takeBack ? [[...takeBack.owners], false, []] : [[], true, [...takeBack.allExcept]];
}

export async function reapExpiredLeases(db: PgDatabase, request: ReapRequest): Promise<Written<ReapedJob[]>> {
  if (request.limit <= 0) return { value: [], signals: [] };
  const { now } = request;
  return db.transaction(async (tx) => {
    const rows = await tx.query<ReapedRow>(
      `WITH expired AS (
        SELECT id, lease_owner, lease_until, started_at FROM ${db.s}.jobs
        WHERE status IN ('reserved', 'running')
          AND (lease_until < $1 OR lease_owner = ANY($3::text[]) OR ($4 AND lease_owner <> ALL($5::text[])))
        ORDER BY lease_until LIMIT $2 FOR UPDATE SKIP LOCKED
      ),
      reaped AS (
        UPDATE ${db.s}.jobs j SET
          status = CASE WHEN j.cancel_requested THEN 'cancelled'
            WHEN j.max_retries IS NULL OR j.attempts <= j.max_retries THEN 'pending' ELSE 'failed' END,
          run_at = $1, lease_owner = NULL, lease_until = NULL,
          completed_at = CASE WHEN NOT j.cancel_requested AND (j.max_retries IS NULL OR j.attempts <= j.max_retries)
            THEN NULL ELSE $1 END,
          error = jsonb_build_object('message', 'lease held by ' || COALESCE(e.lease_owner, 'null') || ' expired',
            'type', 'LeaseExpired', 'traceback', NULL)
        FROM expired e WHERE j.id = ANY(ARRAY(SELECT id FROM expired)) AND j.id = e.id
        RETURNING j.id, j.schedule_id, j.name, j.occurrence, j.attempts, j.worker_id, j.target, j.queue, j.status,
          e.lease_owner AS previous_owner, e.lease_until AS expired_at, e.started_at
      ),
      written AS (
        INSERT INTO ${db.s}.history (job_id, schedule_id, name, occurrence, fired_at, attempt, outcome, http_status,
          duration_ms, error, worker_id)
        SELECT id, schedule_id, name, occurrence, COALESCE(started_at, $1), attempts, 'lease_expired', NULL,
          $1 - COALESCE(started_at, $1), 'lease held by ' || COALESCE(previous_owner, 'null') || ' expired', worker_id
        FROM reaped ORDER BY expired_at, id
      )
      SELECT id, schedule_id, target, queue, status, previous_owner, expired_at FROM reaped`,
      [now, request.limit, ...takeBackParams(request)],
    );
    rows.sort((a, b) => a.expired_at - b.expired_at || (a.id < b.id ? -1 : 1));
    const signals: DueSignal[] = [];
    const ended: EndedOccurrence[] = [];
    for (const row of rows) {
      if (row.status === 'pending') signals.push({ target: row.target, queue: row.queue, runAt: now });
      else if (row.schedule_id !== null) ended.push({ scheduleId: row.schedule_id, lastStatus: row.status as JobStatus, at: now });
    }
    await finishSchedules(db, tx, ended);
    await notifyDue(tx, db.channel, db.origin, signals);
    const reaped = rows.map((row): ReapedJob => ({
      jobId: row.id,
      previousOwner: row.previous_owner,
      status: row.status as ReapedJob['status'],
    }));
    return { value: reaped, signals };
  });
}

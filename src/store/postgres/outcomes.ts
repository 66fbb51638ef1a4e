/**
 * Recording outcomes: one transaction per batch, whatever its size. One statement updates
 * every job (fenced by lease owner), writes every history entry and says which queues have a
 * concurrency limit; schedules whose last occurrence ended are finished in three more, only
 * when there are any.
 */
import type { DueSignal, JobOutcome } from '../store.js';
import { finishSchedules, type EndedOccurrence } from './advance-schedules.js';
import type { PgDatabase } from './context.js';
import { notifyDue } from './due-channel.js';
import type { JobRow } from './rows.js';

type Recorded = Pick<JobRow, 'id' | 'schedule_id' | 'target' | 'queue' | 'status' | 'run_at' | 'completed_at'> & {
  ord: number;
  /** The job's queue has a concurrency limit. */
  limited: boolean;
};

export async function recordOutcomes(db: PgDatabase, outcomes: readonly JobOutcome[]): Promise<DueSignal[]> {
  // One outcome per job: a second one for the same attempt would fail the fence anyway.
  const seen = new Set<string>();
  const batch = outcomes.filter((o) => !seen.has(o.jobId) && seen.add(o.jobId));
  const values = batch.map((o, ord) => {
    const retrying = o.status === 'retrying';
    return {
      ord,
      job_id: o.jobId,
      owner: o.owner,
      status: o.status,
      run_at: retrying ? (o.retryAt ?? o.finishedAt) : null,
      completed_at: retrying ? null : o.finishedAt,
      result: o.result ?? null,
      error: o.error ?? null,
      started_at: o.startedAt ?? null,
      fired_at: o.attempt?.firedAt ?? null,
      outcome: o.attempt?.outcome ?? null,
      duration_ms: o.attempt?.durationMs ?? null,
      http_status: o.attempt?.httpStatus ?? null,
      attempt_error: o.attempt?.error ?? null,
      response: o.attempt?.response ?? null,
    };
  });
  return db.transaction(async (tx) => {
    // `j.id = ANY($2)` gives the planner the primary key to find the jobs by; joined on the
    // JSON rows alone it chose to hash-join a scan of every leased job.
    const rows = await tx.query<Recorded>(
      `WITH o AS (
        SELECT * FROM json_to_recordset($1::json) AS t(ord int, job_id text, owner text, status text, run_at bigint,
          completed_at bigint, result text, error jsonb, started_at bigint, fired_at bigint, outcome text, duration_ms float8,
          http_status int, attempt_error text, response text)
      ),
      done AS (
        UPDATE ${db.s}.jobs j SET status = o.status, run_at = COALESCE(o.run_at, j.run_at), lease_owner = NULL,
          lease_until = NULL, completed_at = o.completed_at, result = o.result, error = o.error,
          started_at = COALESCE(j.started_at, o.started_at)
        FROM o WHERE j.id = ANY($2::text[]) AND j.id = o.job_id AND j.lease_owner = o.owner
          AND j.status IN ('reserved', 'running')
        RETURNING j.id, j.schedule_id, j.name, j.occurrence, j.attempts, j.worker_id, j.target, j.queue, j.status,
          j.run_at, j.completed_at, o.ord, o.fired_at, o.outcome, o.http_status, o.duration_ms, o.attempt_error, o.response
      ),
      written AS (
        INSERT INTO ${db.s}.history (job_id, schedule_id, name, occurrence, fired_at, attempt, outcome, http_status,
          duration_ms, error, worker_id, response)
        SELECT id, schedule_id, name, occurrence, fired_at, attempts, outcome, http_status, duration_ms, attempt_error,
          worker_id, response
        FROM done WHERE outcome IS NOT NULL ORDER BY ord
      )
      SELECT id, schedule_id, target, queue, status, run_at, completed_at, ord,
        EXISTS (SELECT 1 FROM ${db.s}.queues q WHERE q.name = done.queue AND q.concurrency IS NOT NULL) AS limited
      FROM done`,
      [JSON.stringify(values), batch.map((o) => o.jobId)],
    );
    rows.sort((a, b) => a.ord - b.ord);
    const signals: DueSignal[] = [];
    const ended: EndedOccurrence[] = [];
    for (const row of rows) {
      if (row.status === 'retrying') signals.push({ target: row.target, queue: row.queue, runAt: row.run_at });
      else if (row.schedule_id !== null) {
        ended.push({ scheduleId: row.schedule_id, lastStatus: row.status, at: row.completed_at ?? 0 });
      }
    }
    // A finished job frees a place in a queue with a concurrency limit: its other due jobs may
    // be claimed now (by any node), and nothing else would wake a claim before the next poll.
    // The statement above says which queues have one (a query of its own was a round trip
    // more per batch).
    const limited = new Map(rows.filter((row) => row.limited).map((row) => [row.queue, row.target]));
    if (limited.size > 0) {
      const at = Math.max(...batch.map((o) => o.finishedAt));
      for (const [queue, target] of limited) signals.push({ target, queue, runAt: at });
    }
    await finishSchedules(db, tx, ended);
    await notifyDue(tx, db.channel, db.origin, signals);
    return signals;
  });
}

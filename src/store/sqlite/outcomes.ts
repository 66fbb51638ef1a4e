/** Recording attempts' outcomes on the SQLite store, with their history entries. */
import type { DueSignal, JobOutcome } from '../store.js';
import { finishScheduleIfDone } from './advance-schedules.js';
import type { SqliteContext } from './context.js';
import { queueSettings } from './platform.js';
import { INSERT_HISTORY_SQL, type JobRow } from './rows.js';

type HeldRow = Pick<JobRow, 'schedule_id' | 'name' | 'occurrence' | 'attempts' | 'worker_id' | 'target' | 'queue'>;

export function recordOutcomes(ctx: SqliteContext, outcomes: readonly JobOutcome[]): DueSignal[] {
  const signals: DueSignal[] = [];
  // A finished job frees a place in a queue with a concurrency limit: its other due jobs may
  // be claimed now, and nothing else would wake a claim for them before the next poll.
  const limited = new Map<string, boolean>();
  const freesPlace = (queue: string): boolean => {
    let known = limited.get(queue);
    if (known === undefined) {
      known = (queueSettings(ctx, queue)?.concurrency ?? null) !== null;
      limited.set(queue, known);
    }
    return known;
  };
  ctx.write(() => {
    // The held job's row is read, then updated: an UPDATE ... RETURNING buffers its rows in a
    // temporary b-tree, built and dropped for each job (scripts/measure-store-instructions.mjs:
    // the two statements cost 5% fewer instructions per fired Dapr job).
    const held = ctx.rows(
      `SELECT schedule_id, name, occurrence, attempts, worker_id, target, queue FROM jobs
       WHERE id = ? AND lease_owner = ? AND status IN ('reserved', 'running')`,
    );
    const update = ctx.prepare(
      `UPDATE jobs SET status = ?, run_at = COALESCE(?, run_at), lease_owner = NULL, lease_until = NULL,
         completed_at = ?, result = ?, error = ?, started_at = COALESCE(started_at, ?)
       WHERE id = ?`,
    );
    for (const o of outcomes) {
      const retrying = o.status === 'retrying';
      const row = held.get(o.jobId, o.owner) as HeldRow | undefined;
      if (!row) continue; // the lease was lost: someone else owns the job now
      update.run(
        o.status,
        retrying ? (o.retryAt ?? o.finishedAt) : null,
        retrying ? null : o.finishedAt,
        o.result ?? null,
        o.error ? JSON.stringify(o.error) : null,
        o.startedAt ?? null,
        o.jobId,
      );
      if (o.attempt) {
        ctx.prepare(INSERT_HISTORY_SQL).run(
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
      if (freesPlace(row.queue)) signals.push({ target: row.target, queue: row.queue, runAt: o.finishedAt });
    }
    ctx.publish(signals);
  });
  return signals;
}

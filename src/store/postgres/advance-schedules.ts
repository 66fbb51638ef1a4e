/**
 * The two schedule steps that ride along with job transitions, batched so a claim or an
 * outcome batch costs a fixed number of round trips however many schedules it touches:
 * advancing past a fired occurrence (materialising the next), and ending a schedule whose
 * last occurrence ended.
 *
 * Lock order: job rows first, then schedule rows in id order. Claims, outcomes, the reaper
 * and cancels all hold the job when they come here. Schedule edits go the other way (see
 * schedules.ts) and so never wait for a job while holding its schedule.
 */
import type { JobStatus } from '../../core/types.js';
import { occurrenceJob } from '../occurrence-job.js';
import { finishedScheduleStatus } from '../schedule-end.js';
import type { DueSignal, NewJob, PlanNext } from '../store.js';
import type { PgDatabase, Queryable } from './context.js';
import { insertJobRows } from './insert-jobs.js';
import { FINAL_SQL, scheduleColumns, scheduleFromRow, type ScheduleRow } from './rows.js';

export interface FiredOccurrence {
  jobId: string;
  scheduleId: string;
  occurrence: number;
}

export interface AdvanceResult {
  /** For each job whose schedule advanced: whether its occurrence is delivered. */
  deliver: Map<string, boolean>;
  signals: DueSignal[];
}

/**
 * Moves each schedule past its fired occurrence: counts the firing, records last_run_at and
 * inserts the next occurrence (or records that there is none). Idempotent: an occurrence at
 * or before `last_occurrence` was advanced past already (a retry, or a re-claim after a lost
 * lease), so it changes nothing. `forceDeliver: false` (a cancelled occurrence) advances
 * without counting a firing.
 */
export async function advanceSchedules(
  db: PgDatabase,
  tx: Queryable,
  fired: readonly FiredOccurrence[],
  now: number,
  planNext: PlanNext,
  forceDeliver: boolean | null,
): Promise<AdvanceResult> {
  const deliver = new Map<string, boolean>();
  const ids = [...new Set(fired.map((f) => f.scheduleId))].sort();
  const rows = await tx.query<ScheduleRow>(
    `SELECT ${scheduleColumns()} FROM ${db.s}.schedules WHERE id = ANY($1::text[]) AND status = 'active'
     ORDER BY id FOR UPDATE`,
    [ids],
  );
  if (rows.length === 0) return { deliver, signals: [] };
  const byId = new Map(rows.map((row) => [row.id, row]));
  const changed = new Set<ScheduleRow>();
  const next: NewJob[] = [];
  // In occurrence order, so two occurrences of one schedule in a batch advance it in turn.
  for (const f of [...fired].sort((a, b) => a.occurrence - b.occurrence)) {
    const row = byId.get(f.scheduleId);
    if (!row) continue;
    if (row.last_occurrence !== null && f.occurrence <= row.last_occurrence) continue;
    const schedule = scheduleFromRow(row);
    const plan = planNext(schedule, f.occurrence, now);
    const delivered = forceDeliver ?? plan.deliver;
    deliver.set(f.jobId, delivered);
    if (plan.next !== null) next.push(occurrenceJob(schedule, plan.next, now));
    if (delivered) {
      row.fire_count += 1;
      // Claimed ahead of its time, it fires at its occurrence; claimed late, about now.
      row.last_run_at = Math.max(now, f.occurrence);
    }
    row.last_occurrence = f.occurrence;
    row.next_run_at = plan.next;
    row.updated_at = now;
    changed.add(row);
  }
  const signals = next.length > 0 ? await insertJobRows(db, tx, next, true) : [];
  if (changed.size > 0) {
    // Absolute values are safe: the rows are locked since they were read.
    const values = [...changed].map((r) => ({
      id: r.id,
      fire_count: r.fire_count,
      last_occurrence: r.last_occurrence,
      last_run_at: r.last_run_at,
      next_run_at: r.next_run_at,
      updated_at: r.updated_at,
    }));
    await tx.query(
      `UPDATE ${db.s}.schedules s SET fire_count = v.fire_count, last_occurrence = v.last_occurrence,
         last_run_at = v.last_run_at, next_run_at = v.next_run_at, updated_at = v.updated_at
       FROM json_to_recordset($1::json) AS v(id text, fire_count bigint, last_occurrence bigint, last_run_at bigint,
         next_run_at bigint, updated_at bigint)
       WHERE s.id = v.id`,
      [JSON.stringify(values)],
    );
  }
  return { deliver, signals };
}

export interface EndedOccurrence {
  scheduleId: string;
  /** The final status the occurrence reached; the last one of a schedule decides how it ends. */
  lastStatus: JobStatus;
  /** When it ended: the schedule's `updated_at` if it ends. */
  at: number;
}

/**
 * Ends each schedule that plans no further occurrence and has no open job left. The open
 * jobs are counted in a statement after the schedule lock is held: its snapshot then sees
 * what another transaction that held the lock committed, so when two nodes end a schedule's
 * last two jobs at once, the second one to get the lock sees both closed and ends it.
 */
export async function finishSchedules(
  db: PgDatabase,
  tx: Queryable,
  ended: readonly EndedOccurrence[],
): Promise<void> {
  if (ended.length === 0) return;
  const last = new Map(ended.map((e) => [e.scheduleId, e]));
  const ids = [...last.keys()].sort();
  const candidates = await tx.query<ScheduleRow>(
    `SELECT ${scheduleColumns()} FROM ${db.s}.schedules
     WHERE id = ANY($1::text[]) AND status = 'active' AND next_run_at IS NULL ORDER BY id FOR UPDATE`,
    [ids],
  );
  if (candidates.length === 0) return;
  const open = await tx.query<{ schedule_id: string }>(
    `SELECT DISTINCT schedule_id FROM ${db.s}.jobs WHERE schedule_id = ANY($1::text[]) AND status NOT IN (${FINAL_SQL})`,
    [candidates.map((c) => c.id)],
  );
  const stillOpen = new Set(open.map((row) => row.schedule_id));
  const done = candidates
    .filter((row) => !stillOpen.has(row.id))
    .map((row) => {
      const end = last.get(row.id)!;
      return { id: row.id, status: finishedScheduleStatus(scheduleFromRow(row), end.lastStatus), at: end.at };
    });
  if (done.length === 0) return;
  await tx.query(
    `UPDATE ${db.s}.schedules s SET status = v.status, updated_at = v.at
     FROM unnest($1::text[], $2::text[], $3::bigint[]) AS v(id, status, at) WHERE s.id = v.id`,
    [done.map((d) => d.id), done.map((d) => d.status), done.map((d) => d.at)],
  );
}

/**
 * Peeking at due times and claiming due jobs. A claim is one transaction: a first statement
 * reads the database clock and locks the settings of limited queues, then one CTE claims
 * (the graphile-worker `getJobs` shape: pick with FOR UPDATE SKIP LOCKED, update, return),
 * then the schedules of the claimed occurrences advance.
 */
import { CALLBACK_QUEUE, PRIORITIES, type ClaimedJob } from '../../core/types.js';
import type { Written } from '../store-ops.js';
import type { ClaimRequest, DueSignal, Lane } from '../store.js';
import { advanceSchedules } from './advance-schedules.js';
import type { PgDatabase } from './context.js';
import { jobColumns, jobFromRow, type JobRow } from './rows.js';
import { claimedJob } from '../records.js';

function laneQueues(lane: Lane): readonly string[] {
  return lane.target === 'callback' ? [CALLBACK_QUEUE] : lane.queues;
}

/** The task names a lane may run, or null for the callback lane (no filter). */
function laneTasks(lane: Lane): readonly string[] | null {
  return lane.target === 'task' ? lane.tasks : null;
}

const LAST_PRIORITY = PRIORITIES.length - 1;

/**
 * Waiting jobs of the lane due in `(after, until]`, in run order, walking the due index once
 * per (queue, priority) pair: each walk is a tight range of `jobs_due (queue, priority,
 * run_at)`. One walk over `ORDER BY priority, run_at` would instead read every future job
 * of a priority (run_at > now fails, but only as a filter) before reaching the next
 * priority: with a million reminders scheduled for next month, every claim would scan a
 * million index entries. Expects `lane(name)`, `p(rank)` and tasks in `$2` around it.
 */
function dueWalk(db: PgDatabase, range: { after?: string; until: string }, limit: string, lock: boolean): string {
  return `SELECT j.id, j.queue, j.priority, j.run_at FROM ${db.s}.jobs j
    WHERE j.queue = lane.name AND j.priority = p.rank AND j.status IN ('pending', 'retrying')
      ${range.after ? `AND j.run_at > ${range.after}` : ''} AND j.run_at <= ${range.until}
      AND ($2::text[] IS NULL OR j.task_name = ANY($2::text[]))
    ORDER BY j.run_at LIMIT ${limit}${lock ? ' FOR UPDATE SKIP LOCKED' : ''}`;
}

const EACH_QUEUE_AND_PRIORITY = `unnest($1::text[]) AS lane(name) CROSS JOIN generate_series(0, ${LAST_PRIORITY}) AS p(rank)`;

/**
 * Due times without DISTINCT: a burst of 100k jobs at one instant returns `limit` equal
 * times in O(limit), and the caller treats the last one as its horizon. `until` is not
 * clamped to the database clock: it is the end of the caller's look-ahead window, not a
 * claim, and clamping it would hide every job due inside the window from the timer.
 */
export async function peekDueTimes(db: PgDatabase, lane: Lane, until: number, limit: number, after?: number): Promise<number[]> {
  if (limit <= 0) return [];
  const sql = `SELECT due.run_at FROM ${EACH_QUEUE_AND_PRIORITY}
      CROSS JOIN LATERAL (${dueWalk(db, { after: '$5::bigint', until: '$3::bigint' }, '$4', false)}) due
    WHERE NOT EXISTS (SELECT 1 FROM ${db.s}.queues q WHERE q.name = lane.name AND q.paused)
    ORDER BY due.run_at LIMIT $4`;
  const rows = await db.query<{ run_at: number }>(sql, [laneQueues(lane), laneTasks(lane), until, limit, after ?? Number.MIN_SAFE_INTEGER]);
  return rows.map((row) => row.run_at);
}

interface ClaimClock {
  /** The database clock (floored to the ms: a job due at 12.000 is not due at 11.9995), or the caller's now. */
  db_now: number;
  /** The earliest job due by the caller's clock but not yet by the database's. */
  held_back: number | null;
}

export async function claimDue(db: PgDatabase, request: ClaimRequest): Promise<Written<ClaimedJob[]>> {
  const { lane, now, owner } = request;
  const queues = laneQueues(lane);
  const tasks = laneTasks(lane);
  if (request.limit <= 0 || queues.length === 0 || tasks?.length === 0) return { value: [], signals: [] };
  const status = request.as ?? 'running';
  return db.transaction(async (tx) => {
    // A queue with a concurrency limit is counted under its settings row's lock, taken here,
    // in a statement of its own: the claim statement's snapshot then starts after the lock
    // is held and sees every claim the previous holder committed, so two nodes cannot both
    // fill the same free slots. Queues without a limit are not locked; claims on them run
    // side by side.
    const [clock] = await tx.query<ClaimClock>(
      `WITH clock AS MATERIALIZED (
        SELECT CASE WHEN $4::boolean THEN floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
          ELSE $3::bigint END AS db_now
      )
      SELECT db_now,
        CASE WHEN db_now < $3::bigint THEN (
          SELECT min(held.run_at) FROM ${EACH_QUEUE_AND_PRIORITY}
            CROSS JOIN LATERAL (${dueWalk(db, { after: 'clock.db_now', until: '$3::bigint' }, '1', false)}) held
          WHERE NOT EXISTS (SELECT 1 FROM ${db.s}.queues q WHERE q.name = lane.name AND q.paused)
        ) END AS held_back,
        (SELECT count(*) FROM (SELECT 1 FROM ${db.s}.queues WHERE name = ANY($1::text[]) AND concurrency IS NOT NULL
          AND NOT paused ORDER BY name FOR UPDATE) AS limited) AS locked
      FROM clock`,
      [queues, tasks, now, db.options.useStoreClock],
    );
    // Never early by the database's clock, when the caller's runs ahead of it.
    // dueBy (claiming ahead) moves back by as much as the caller's clock runs ahead of the database's.
    const cutoff = (request.dueBy ?? now) - Math.max(0, now - clock!.db_now);
    // The update finds its rows by `id = ANY(ARRAY(...))` rather than joining `chosen`: as a
    // prepared statement's generic plan (LIMIT unknown) that join became a hash join over a
    // sequential scan of every job, 2x slower at 20k jobs and worse with each row after.
    const rows = await tx.query<JobRow>(
      `WITH lane AS (
        SELECT l.name, CASE
            WHEN q.paused THEN 0
            WHEN q.concurrency IS NULL THEN $4::int
            ELSE GREATEST(0, LEAST($4::int, q.concurrency - (SELECT count(*) FROM ${db.s}.jobs a
              WHERE a.queue = l.name AND a.status IN ('reserved', 'running'))))
          END AS capacity
        FROM unnest($1::text[]) AS l(name) LEFT JOIN ${db.s}.queues q ON q.name = l.name
      ),
      candidates AS (
        SELECT due.id, due.queue, due.priority, due.run_at, lane.capacity
        FROM lane CROSS JOIN generate_series(0, ${LAST_PRIORITY}) AS p(rank)
          CROSS JOIN LATERAL (${dueWalk(db, { until: '$3::bigint' }, 'lane.capacity', true)}) due
        WHERE lane.capacity > 0
      ),
      chosen AS (
        SELECT id FROM (
          SELECT id, priority, run_at, capacity,
            row_number() OVER (PARTITION BY queue ORDER BY priority, run_at, id) AS n
          FROM candidates
        ) ranked
        WHERE n <= capacity ORDER BY priority, run_at, id LIMIT $4
      )
      UPDATE ${db.s}.jobs j SET status = $5, attempts = j.attempts + 1, lease_owner = $6, lease_until = $7,
        started_at = $8, worker_id = $6
      WHERE j.id = ANY(ARRAY(SELECT id FROM chosen))
      RETURNING ${jobColumns('j')}`,
      [queues, tasks, cutoff, request.limit, status, owner, now + request.leaseMs, status === 'running' ? now : null],
    );
    const signals: DueSignal[] = [];
    if (clock!.held_back !== null) {
      // Wake this node again when the database clock reaches the held-back job, on this
      // node's clock (local only: other nodes have clocks of their own).
      signals.push({ target: lane.target, queue: queues[0]!, runAt: clock!.held_back + (now - clock!.db_now) });
    }
    if (rows.length === 0) return { value: [], signals };
    // RETURNING gives no order; hand jobs out in claim order.
    rows.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : 1));
    const fired = rows.flatMap((row) =>
      row.schedule_id === null ? [] : [{ jobId: row.id, scheduleId: row.schedule_id, occurrence: row.occurrence }],
    );
    const advanced = fired.length > 0 ? await advanceSchedules(db, tx, fired, now, request.planNext, null) : null;
    const jobs = rows.map((row) => claimedJob(jobFromRow(row), advanced?.deliver.get(row.id) ?? true));
    return { value: jobs, signals: [...signals, ...(advanced?.signals ?? [])] };
  }, { genericPlans: true });
}

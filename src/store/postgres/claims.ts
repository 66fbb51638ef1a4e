/**
 * Peeking at due times and claiming due jobs. A claim is one statement that reads the
 * database clock and claims (the graphile-worker `getJobs` shape: pick with FOR UPDATE SKIP
 * LOCKED, update, return), on its own: one round trip. Claimed occurrences of schedules need
 * their schedules advanced in the same transaction, so a lane that has them claims in one
 * (BEGIN, the statement, the advance, COMMIT); a lane with a concurrency-limited queue claims
 * in two statements in one, the first locking the limited queues' settings (claimUnderLimits).
 */
import { CALLBACK_QUEUE, PRIORITIES, type ClaimedJob } from '../../core/types.js';
import type { Written } from '../store-ops.js';
import type { ClaimRequest, DueSignal, Lane } from '../store.js';
import { advanceSchedules } from './advance-schedules.js';
import type { PgDatabase, Queryable } from './context.js';
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
  return `SELECT j.id, j.queue, j.priority, j.run_at, j.schedule_id IS NOT NULL AS scheduled FROM ${db.s}.jobs j
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

/**
 * The claim's clock, as `clock(db_now, cutoff)`: the database's (floored to the ms: a job due
 * at 12.000 is not due at 11.9995), or the caller's `$3` when the store clock is off. The
 * cutoff is the claim's `dueBy` (or now) moved back by as much as the caller's clock runs
 * ahead of the database's, so nothing is claimed early by the database's clock. `storeClock`
 * and `dueBy` name the parameters that hold them.
 */
function clockCte(storeClock: string, dueBy: string): string {
  return `clock AS MATERIALIZED (
    SELECT db_now, ${dueBy}::bigint - GREATEST(0, $3::bigint - db_now) AS cutoff
    FROM (SELECT CASE WHEN ${storeClock}::boolean THEN floor(extract(epoch FROM clock_timestamp()) * 1000)::bigint
      ELSE $3::bigint END AS db_now) AS t
  )`;
}

/**
 * The earliest job due by the caller's clock (`$3`) but not yet by the database's: the
 * caller is woken again when the database's clock reaches it. Expects `clock`.
 */
function heldBackSql(db: PgDatabase): string {
  return `CASE WHEN clock.db_now < $3::bigint THEN (
      SELECT min(held.run_at) FROM ${EACH_QUEUE_AND_PRIORITY}
        CROSS JOIN LATERAL (${dueWalk(db, { after: 'clock.db_now', until: '$3::bigint' }, '1', false)}) held
      WHERE NOT EXISTS (SELECT 1 FROM ${db.s}.queues q WHERE q.name = lane.name AND q.paused)
    ) END`;
}

/**
 * Picks the lane's due jobs (`run_at <= until`), at most `capacity` of each queue (an
 * expression over `l.name` and `q`, the queue's settings row or nulls) and `$4` in all, in
 * run order, locked: the CTEs `lane`, `candidates` and `chosen (id, scheduled)`, for
 * takeChosenSql to take.
 */
function chooseDueCtes(db: PgDatabase, capacity: string, until: string): string {
  return `lane AS (
      SELECT l.name, ${capacity} AS capacity
      FROM unnest($1::text[]) AS l(name) LEFT JOIN ${db.s}.queues q ON q.name = l.name
    ),
    candidates AS (
      SELECT due.id, due.queue, due.priority, due.run_at, due.scheduled, lane.capacity
      FROM lane CROSS JOIN generate_series(0, ${LAST_PRIORITY}) AS p(rank)
        CROSS JOIN LATERAL (${dueWalk(db, { until }, 'lane.capacity', true)}) due
      WHERE lane.capacity > 0
    ),
    chosen AS (
      SELECT id, scheduled FROM (
        SELECT id, priority, run_at, capacity, scheduled,
          row_number() OVER (PARTITION BY queue ORDER BY priority, run_at, id) AS n
        FROM candidates
      ) ranked
      WHERE n <= capacity ORDER BY priority, run_at, id LIMIT $4
    )`;
}

/**
 * Takes the `chosen` jobs, unless `unless` (an SQL condition) holds; `$5`..`$8` are the
 * status, owner, lease end and start time written. The update finds its rows by `id =
 * ANY(ARRAY(...))` rather than joining `chosen`: as a prepared statement's generic plan
 * (LIMIT unknown) that join became a hash join over a sequential scan of every job, 2x slower
 * at 20k jobs and worse with each row after.
 */
function takeChosenSql(db: PgDatabase, unless = 'false'): string {
  return `UPDATE ${db.s}.jobs j SET status = $5, attempts = j.attempts + 1, lease_owner = $6, lease_until = $7,
      started_at = $8, worker_id = $6
    WHERE j.id = ANY(ARRAY(SELECT id FROM chosen)) AND NOT (${unless})
    RETURNING ${jobColumns('j')}`;
}

/**
 * The one-statement claim's capacity: nothing from a paused queue, and nothing at all when a
 * lane queue has a limit (`head.limited`): that claim is left whole to claimUnderLimits, so
 * the lane's jobs still go out in run order across its queues.
 */
const UNLIMITED_CAPACITY = `CASE WHEN q.paused OR (SELECT limited FROM head) THEN 0 ELSE $4::int END`;

/** A limited queue takes what its limit leaves (counted under the lock of its settings row). */
function limitedCapacity(db: PgDatabase): string {
  return `CASE
    WHEN q.paused THEN 0
    WHEN q.concurrency IS NULL THEN $4::int
    ELSE GREATEST(0, LEAST($4::int, q.concurrency - (SELECT count(*) FROM ${db.s}.jobs a
      WHERE a.queue = l.name AND a.status IN ('reserved', 'running'))))
  END`;
}

/** What a claim's first statement says besides its rows (on the first row; job columns null when none). */
interface ClaimHead {
  db_now: number;
  held_back: number | null;
  /** Whether a lane queue has a concurrency limit (and is not paused): the one-statement claim left it alone. */
  limited: boolean;
  /** Whether a job it chose is a schedule's occurrence, which a claim outside a transaction leaves (false from one in a transaction). */
  scheduled: boolean;
}

/** A claim's request with its lane's queues and task filter, as both claim paths take them. */
interface LaneClaim {
  request: ClaimRequest;
  queues: readonly string[];
  tasks: readonly string[] | null;
}

/** The lane's queues that have a concurrency limit and are not paused (`$1` the lane's queues). */
const LIMITED_LANE_QUEUES = `name = ANY($1::text[]) AND concurrency IS NOT NULL AND NOT paused`;

/** Whether a chosen job is a schedule's occurrence. */
const SCHEDULED_CHOSEN = `(SELECT coalesce(bool_or(scheduled), false) FROM chosen)`;

/** Claims run on the claim connections (generic plans, no JIT: see QueryOptions.genericPlans). */
const ON_CLAIM_CONNECTIONS = { genericPlans: true } as const;

/**
 * The take's parameters, `$1`..`$8`. `$3` is the claim's bound when the statement reads it
 * as `until` (claimUnderLimits), the caller's now when the statement computes the bound
 * itself (claimInOneStatement's clock).
 */
function takeDueParams({ request, queues, tasks }: LaneClaim, until: number): unknown[] {
  const { now } = request;
  const status = request.as ?? 'running';
  return [queues, tasks, until, request.limit, status, request.owner, now + request.leaseMs, status === 'running' ? now : null];
}

/**
 * What each store's claims have seen of a lane: a limited queue (claimed the two-statement
 * way at once, instead of finding out in the one-statement claim first) or schedules'
 * occurrences (claimed in a transaction, where their schedules advance). Hints only: each
 * path tells what it found, and the sets follow.
 */
interface LaneHints {
  limited: Set<string>;
  scheduled: Set<string>;
}

const laneHints = new WeakMap<PgDatabase, LaneHints>();

function hintsOf(db: PgDatabase): LaneHints {
  let hints = laneHints.get(db);
  if (!hints) laneHints.set(db, (hints = { limited: new Set(), scheduled: new Set() }));
  return hints;
}

function laneKey(lane: Lane): string {
  return `${lane.target}\u0000${laneQueues(lane).join('\u0000')}`;
}

/**
 * A lane last seen without limits or schedules is claimed by one statement outside a
 * transaction block (one round trip); if it finds either it takes nothing, and the claim is
 * made again in a transaction: BEGIN, one or two statements, the schedules advanced, COMMIT.
 */
export async function claimDue(db: PgDatabase, request: ClaimRequest): Promise<Written<ClaimedJob[]>> {
  const claim: LaneClaim = { request, queues: laneQueues(request.lane), tasks: laneTasks(request.lane) };
  if (request.limit <= 0 || claim.queues.length === 0 || claim.tasks?.length === 0) return { value: [], signals: [] };
  const hints = hintsOf(db);
  const key = laneKey(request.lane);
  if (!hints.limited.has(key) && !hints.scheduled.has(key)) {
    const claimed = await claimInOneStatement(db, db, claim, true);
    if (!claimed.limited && !claimed.scheduled) return finishClaim(db, null, claim, claimed);
    if (claimed.limited) hints.limited.add(key);
    if (claimed.scheduled) hints.scheduled.add(key);
  }
  return db.transaction(async (tx) => {
    let claimed = hints.limited.has(key) ? null : await claimInOneStatement(db, tx, claim, false);
    if (claimed?.limited) hints.limited.add(key);
    if (!claimed || claimed.limited) {
      claimed = await claimUnderLimits(db, tx, claim);
      if (!claimed.limited) hints.limited.delete(key);
    }
    if (claimed.rows.length > 0 && claimed.rows.every((row) => row.schedule_id === null)) hints.scheduled.delete(key);
    return finishClaim(db, tx, claim, claimed);
  }, ON_CLAIM_CONNECTIONS);
}

/**
 * The common claim, one statement: the clock, then the lane's due jobs, taken without
 * locking any queue (claims on queues without a limit run side by side across nodes). When
 * a lane queue has a concurrency limit it takes nothing and says so. `alone`: the statement
 * runs outside a transaction, so it also takes nothing when a job it chose is a schedule's
 * occurrence (whose schedule must advance in the claim's transaction), and says so.
 */
async function claimInOneStatement(
  db: PgDatabase,
  q: Queryable,
  claim: LaneClaim,
  alone: boolean,
): Promise<ClaimHead & { rows: JobRow[] }> {
  const { now, dueBy } = claim.request;
  // In a transaction the occurrences are taken, and nothing needs to know of them up front.
  const scheduled = alone ? SCHEDULED_CHOSEN : 'false';
  const rows = await q.query<ClaimHead & JobRow>(
    `WITH ${clockCte('$9', '$10')},
    head AS MATERIALIZED (
      SELECT clock.db_now, ${heldBackSql(db)} AS held_back,
        EXISTS (SELECT 1 FROM ${db.s}.queues WHERE ${LIMITED_LANE_QUEUES}) AS limited
      FROM clock
    ),
    ${chooseDueCtes(db, UNLIMITED_CAPACITY, '(SELECT cutoff FROM clock)')},
    taken AS (${takeChosenSql(db, scheduled)})
    SELECT head.db_now, head.held_back, head.limited, ${scheduled} AS scheduled, taken.*
    FROM head LEFT JOIN taken ON true`,
    [...takeDueParams(claim, now), db.options.useStoreClock, dueBy ?? now],
    ON_CLAIM_CONNECTIONS,
  );
  const head = rows[0]!;
  return { db_now: head.db_now, held_back: head.held_back, limited: head.limited, scheduled: head.scheduled, rows: head.id === null ? [] : rows };
}

/**
 * The claim of a lane with a limited queue, two statements. A queue with a concurrency limit
 * is counted under its settings row's lock, taken by the first statement: the second's
 * snapshot then starts after the lock is held and sees every claim the previous holder
 * committed, so two nodes cannot both fill the same free slots. Queues without a limit are
 * not locked.
 */
async function claimUnderLimits(db: PgDatabase, tx: Queryable, claim: LaneClaim): Promise<ClaimHead & { rows: JobRow[] }> {
  const { now, dueBy } = claim.request;
  const [clock] = await tx.query<Omit<ClaimHead, 'scheduled'> & { cutoff: number }>(
    `WITH ${clockCte('$4', '$5')}
    SELECT clock.db_now, clock.cutoff, ${heldBackSql(db)} AS held_back,
      (SELECT count(*) FROM (SELECT 1 FROM ${db.s}.queues WHERE ${LIMITED_LANE_QUEUES}
        ORDER BY name FOR UPDATE) AS limited) > 0 AS limited
    FROM clock`,
    [claim.queues, claim.tasks, now, db.options.useStoreClock, dueBy ?? now],
  );
  const rows = await tx.query<JobRow>(
    `WITH ${chooseDueCtes(db, limitedCapacity(db), '$3::bigint')} ${takeChosenSql(db)}`,
    takeDueParams(claim, clock!.cutoff),
  );
  return { ...clock!, scheduled: rows.some((row) => row.schedule_id !== null), rows };
}

/**
 * Claimed rows to jobs in claim order, the schedules of claimed occurrences advanced (in
 * `tx`; a claim outside a transaction, `null`, takes no occurrence), and what to wake.
 */
async function finishClaim(
  db: PgDatabase,
  tx: Queryable | null,
  { request, queues }: LaneClaim,
  claimed: ClaimHead & { rows: JobRow[] },
): Promise<Written<ClaimedJob[]>> {
  const { lane, now } = request;
  const { rows } = claimed;
  const signals: DueSignal[] = [];
  if (claimed.held_back !== null) {
    // Wake this node again when the database clock reaches the held-back job, on this
    // node's clock (local only: other nodes have clocks of their own).
    signals.push({ target: lane.target, queue: queues[0]!, runAt: claimed.held_back + (now - claimed.db_now) });
  }
  if (rows.length === 0) return { value: [], signals };
  // RETURNING gives no order; hand jobs out in claim order.
  rows.sort((a, b) => a.priority - b.priority || a.run_at - b.run_at || (a.id < b.id ? -1 : 1));
  const fired = rows.flatMap((row) =>
    row.schedule_id === null ? [] : [{ jobId: row.id, scheduleId: row.schedule_id, occurrence: row.occurrence }],
  );
  let advanced: Awaited<ReturnType<typeof advanceSchedules>> | null = null;
  if (fired.length > 0) {
    if (!tx) throw new Error("a claim outside a transaction took a schedule's occurrence");
    advanced = await advanceSchedules(db, tx, fired, now, request.planNext, null);
  }
  const jobs = rows.map((row) => claimedJob(jobFromRow(row), advanced?.deliver.get(row.id) ?? true));
  return { value: jobs, signals: [...signals, ...(advanced?.signals ?? [])] };
}

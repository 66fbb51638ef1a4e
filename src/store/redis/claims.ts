/**
 * Claims on the Redis store: peek at due times, and claim in two scripts (lease, then
 * advance the claimed occurrences' schedules). Why this loses and repeats nothing:
 * lua/claim-due.lua.
 */
import { CALLBACK_QUEUE, PRIORITY_RANK, type ClaimedJob, type JobRecord, type ScheduleRecord } from '../../core/types.js';
import type { Written } from '../store-ops.js';
import type { ClaimRequest, DueSignal, Lane } from '../store.js';
import { advanceSchedules } from './advance-schedules.js';
import type { RedisContext } from './context.js';
import { jobFromHash, scheduleFromHash, toHash, type Hash } from './rows.js';
import { claimedJob } from '../records.js';

/** Stale advance markers (lua/claim-due.lua) one claim takes over at most. */
const SWEEP_LIMIT = 16;

function laneQueues(lane: Lane): readonly string[] {
  return lane.target === 'callback' ? [CALLBACK_QUEUE] : lane.queues;
}

/** The lane's task names for the scripts; '' means every task of the queue (callbacks). */
function laneTasks(lane: Lane): string {
  return lane.target === 'task' ? JSON.stringify(lane.tasks) : '';
}

export async function peekDueTimes(ctx: RedisContext, lane: Lane, until: number, limit: number, after?: number): Promise<number[]> {
  const queues = laneQueues(lane);
  const from = after === undefined ? '-inf' : `(${after}`;
  const times = await ctx.script<string[]>('chimePeekDue', [until, limit, JSON.stringify(queues), laneTasks(lane), from]);
  return times
    .map(Number)
    .sort((a, b) => a - b)
    .slice(0, limit);
}

/** What step 1 of a claim leaves for step 2: the leased jobs and the markers to complete. */
export interface LeasedClaim {
  jobs: { marker: string; job: JobRecord }[];
  schedules: Map<string, ScheduleRecord>;
  /** Markers to advance: this claim's own and the stale ones it swept. */
  markers: string[];
  /**
   * When Redis's clock held back a job due by the caller's: that run time, translated to
   * the caller's clock (when the caller's clock will read it as Redis's does).
   */
  heldBackUntil: number | null;
}

type ClaimReply = [[string, string[]][], (string | string[])[], string[], string, string];

/** The lane as a map key: its target, queues and tasks. */
function laneKey(lane: Lane): string {
  return `${lane.target}\u0000${JSON.stringify(laneQueues(lane))}\u0000${laneTasks(lane)}`;
}

/**
 * Step 1 of a claim (lua/claim-due.lua) alone: the jobs are leased and marked, no schedule
 * has moved yet. claimDue runs step 2 at once; crash tests stop here to play a node that
 * died in between. `recordKey` keeps what it took for lost-claims.ts ('' keeps nothing).
 */
export async function leaseDue(ctx: RedisContext, request: Omit<ClaimRequest, 'planNext'>, recordKey = ''): Promise<LeasedClaim> {
  const queues = laneQueues(request.lane);
  if (queues.length === 0) return { jobs: [], schedules: new Map(), markers: [], heldBackUntil: null };
  const reply = await ctx.packedScript<ClaimReply>('chimeClaimDue', [
    request.now,
    ctx.useStoreClock ? '1' : '0',
    Math.max(0, request.limit),
    request.owner,
    request.leaseMs,
    request.as ?? 'running',
    JSON.stringify(queues),
    laneTasks(request.lane),
    SWEEP_LIMIT,
    request.dueBy ?? request.now,
    recordKey,
  ]);
  return leasedFromReply(reply, request.now, (hash) => claimedHash(hash, request));
}

/**
 * A job as claim-due.lua left it, from its hash before the claim (the script's reply): the
 * script's transition wrote these same fields, and applying them here costs a few property
 * writes where building the reply in Lua cost about 8% of redis-server's work per job.
 */
function claimedHash(hash: Hash, request: Omit<ClaimRequest, 'planNext'>): Hash {
  const status = request.as ?? 'running';
  hash.status = status;
  hash.attempts = String(Number(hash.attempts ?? 0) + 1);
  hash.lease_owner = request.owner;
  hash.worker_id = request.owner;
  hash.lease_until = String(request.now + request.leaseMs);
  if (status === 'running') hash.started_at = String(request.now);
  else delete hash.started_at;
  return hash;
}

/** The jobs a claim whose reply was lost leased and still holds (lua/recover-claim.lua). */
async function recoverClaim(ctx: RedisContext, recordKey: string, now: number): Promise<LeasedClaim> {
  return leasedFromReply(await ctx.packedScript<ClaimReply>('chimeRecoverClaim', [recordKey, now]), now);
}

/** `claimed` turns each job's hash in the reply into the job as it is now (leaseDue's replies hold the job from before). */
function leasedFromReply(
  [rawJobs, rawSchedules, swept, heldBack, serverNow]: ClaimReply,
  now: number,
  claimed: (hash: Hash) => Hash = (hash) => hash,
): LeasedClaim {
  const schedules = new Map<string, ScheduleRecord>();
  for (let i = 0; i < rawSchedules.length; i += 2) {
    const hash = toHash(rawSchedules[i + 1] as string[]);
    if (hash.id !== undefined) schedules.set(rawSchedules[i] as string, scheduleFromHash(hash));
  }
  const jobs = rawJobs.map(([marker, flat]) => ({ marker, job: jobFromHash(claimed(toHash(flat))) }));
  const markers = [...new Set([...jobs.map((j) => j.marker).filter((m) => m !== ''), ...swept])];
  const heldBackUntil = heldBack === '' ? null : Number(heldBack) + (now - Number(serverNow));
  return { jobs, schedules, markers, heldBackUntil };
}

/** Several step-1 results as one, for one step 2. */
function mergeLeased(parts: readonly LeasedClaim[]): LeasedClaim {
  const heldBack = parts.map((p) => p.heldBackUntil).filter((t): t is number => t !== null);
  return {
    jobs: parts.flatMap((p) => p.jobs),
    schedules: new Map(parts.flatMap((p) => [...p.schedules])),
    markers: [...new Set(parts.flatMap((p) => p.markers))],
    heldBackUntil: heldBack.length > 0 ? Math.min(...heldBack) : null,
  };
}

/**
 * Two scripts, one after the other; why this loses and repeats nothing: lua/claim-due.lua.
 * First it fetches back what the lane's lost claims leased (lost-claims.ts), and claims
 * only the room that leaves.
 */
export async function claimDue(ctx: RedisContext, request: ClaimRequest): Promise<Written<ClaimedJob[]>> {
  const queues = laneQueues(request.lane);
  const lane = laneKey(request.lane);
  const lost = ctx.lostClaims.of(lane);
  const recordKey = ctx.lostClaims.nextKey();
  let claimed = false;
  let leased: LeasedClaim;
  let deliver: Map<string, boolean>;
  const signals: DueSignal[] = [];
  try {
    const parts: LeasedClaim[] = [];
    for (const key of lost) parts.push(await recoverClaim(ctx, key, request.now));
    // Recovered jobs were claimed within an earlier room, which cannot have shrunk since:
    // nothing of the lane started without a claim meanwhile.
    const room = request.limit - parts.reduce((n, p) => n + p.jobs.length, 0);
    if (room > 0) {
      claimed = true;
      parts.push(await leaseDue(ctx, { ...request, limit: room }, recordKey));
    }
    leased = mergeLeased(parts);
    if (leased.heldBackUntil !== null) {
      // Local only: other nodes' clocks differ from this one's.
      signals.push({ target: request.lane.target, queue: queues[0]!, runAt: leased.heldBackUntil });
    }
    deliver = await advanceSchedules(ctx, leased.markers, leased.schedules, request.planNext, request.now, signals);
  } catch (error) {
    // The claim may have run with its reply lost: the lane's next claim fetches it back.
    if (claimed) ctx.lostClaims.add(lane, recordKey);
    throw error;
  }
  ctx.lostClaims.settle(lane, lost);
  const jobs = leased.jobs.map(({ marker, job }) => claimedJob(job, marker === '' ? true : (deliver.get(marker) ?? true)));
  return { value: jobs.sort(byClaimOrder), signals };
}

function byClaimOrder(a: JobRecord, b: JobRecord): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.runAt - b.runAt;
}

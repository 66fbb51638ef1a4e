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
import { jobFromHash, scheduleFromHash, toHash } from './rows.js';

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

/**
 * Step 1 of a claim (lua/claim-due.lua) alone: the jobs are leased and marked, no schedule
 * has moved yet. claimDue runs step 2 at once; crash tests stop here to play a node that
 * died in between.
 */
export async function leaseDue(ctx: RedisContext, request: Omit<ClaimRequest, 'planNext'>): Promise<LeasedClaim> {
  const queues = laneQueues(request.lane);
  if (queues.length === 0) return { jobs: [], schedules: new Map(), markers: [], heldBackUntil: null };
  const [rawJobs, rawSchedules, swept, heldBack, serverNow] = await ctx.script<ClaimReply>('chimeClaimDue', [
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
  ]);
  const schedules = new Map<string, ScheduleRecord>();
  for (let i = 0; i < rawSchedules.length; i += 2) {
    const hash = toHash(rawSchedules[i + 1] as string[]);
    if (hash.id !== undefined) schedules.set(rawSchedules[i] as string, scheduleFromHash(hash));
  }
  const jobs = rawJobs.map(([marker, flat]) => ({ marker, job: jobFromHash(toHash(flat)) }));
  const markers = [...new Set([...jobs.map((j) => j.marker).filter((m) => m !== ''), ...swept])];
  const heldBackUntil = heldBack === '' ? null : Number(heldBack) + (request.now - Number(serverNow));
  return { jobs, schedules, markers, heldBackUntil };
}

/** Two scripts, one after the other; why this loses and repeats nothing: lua/claim-due.lua. */
export async function claimDue(ctx: RedisContext, request: ClaimRequest): Promise<Written<ClaimedJob[]>> {
  const queues = laneQueues(request.lane);
  const leased = await leaseDue(ctx, request);
  const signals: DueSignal[] = [];
  if (leased.heldBackUntil !== null) {
    // Local only: other nodes' clocks differ from this one's.
    signals.push({ target: request.lane.target, queue: queues[0]!, runAt: leased.heldBackUntil });
  }
  const deliver = await advanceSchedules(ctx, leased.markers, leased.schedules, request.planNext, request.now, signals);
  const jobs = leased.jobs.map(({ marker, job }): ClaimedJob => ({
    ...job,
    deliver: marker === '' ? true : (deliver.get(marker) ?? true),
  }));
  return { value: jobs.sort(byClaimOrder), signals };
}

function byClaimOrder(a: JobRecord, b: JobRecord): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.runAt - b.runAt;
}

/**
 * The engine's transitions on the Redis store: peek, claim (with its schedule advance),
 * outcomes, lease extension, release and reaping. One script call per batch.
 */
import { CALLBACK_QUEUE, PRIORITY_RANK, type ClaimedJob, type JobRecord, type ScheduleRecord } from '../../core/types.js';
import { occurrenceJob } from '../occurrence-job.js';
import type { ClaimRequest, JobOutcome, Lane, PlanNext, ReapRequest, ReapedJob } from '../store.js';
import { attemptJson, jobFields, jobFromHash, optional, scheduleFromHash, toHash } from './rows.js';
import type { RedisContext } from './context.js';

/** Stale advance markers (lua/claim-due.ts) one claim takes over at most. */
const SWEEP_LIMIT = 16;

function laneQueues(lane: Lane): readonly string[] {
  return lane.target === 'callback' ? [CALLBACK_QUEUE] : lane.queues;
}

/** The lane's task names for the scripts; '' means every task of the queue (callbacks). */
function laneTasks(lane: Lane): string {
  return lane.target === 'task' ? JSON.stringify(lane.tasks) : '';
}

export async function peekDueTimes(ctx: RedisContext, lane: Lane, until: number, limit: number): Promise<number[]> {
  const queues = laneQueues(lane);
  if (queues.length === 0 || limit <= 0) return [];
  const times = await ctx.script<string[]>('chimePeekDue', [until, limit, JSON.stringify(queues), laneTasks(lane)]);
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
 * Step 1 of a claim (lua/claim-due.ts) alone: the jobs are leased and marked, no schedule
 * has moved yet. claimDue runs step 2 at once; crash tests stop here to play a node that
 * died in between.
 */
export async function leaseDue(ctx: RedisContext, request: Omit<ClaimRequest, 'planNext'>): Promise<LeasedClaim> {
  const queues = laneQueues(request.lane);
  if (queues.length === 0) return { jobs: [], schedules: new Map(), markers: [], heldBackUntil: null };
  const [rawJobs, rawSchedules, swept, heldBack, serverNow] = await ctx.script<ClaimReply>('chimeClaimDue', [
    request.now,
    ctx.useServerClock ? '1' : '0',
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

/** Two scripts, one after the other; why this loses and repeats nothing: lua/claim-due.ts. */
export async function claimDue(ctx: RedisContext, request: ClaimRequest): Promise<ClaimedJob[]> {
  const queues = laneQueues(request.lane);
  const leased = await leaseDue(ctx, request);
  if (leased.heldBackUntil !== null) {
    // Local only: other nodes' clocks differ from this one's.
    ctx.emit({ target: request.lane.target, queue: queues[0]!, runAt: leased.heldBackUntil });
  }
  const deliver = await advanceSchedules(ctx, leased.markers, leased.schedules, request.planNext, request.now);
  const jobs = leased.jobs.map(({ marker, job }): ClaimedJob => ({
    ...job,
    deliver: marker === '' ? true : (deliver.get(marker) ?? true),
  }));
  return jobs.sort(byClaimOrder);
}

function byClaimOrder(a: JobRecord, b: JobRecord): number {
  return PRIORITY_RANK[a.priority] - PRIORITY_RANK[b.priority] || a.runAt - b.runAt;
}

/** A marker is "schedule id|occurrence"; the id may itself hold '|', the occurrence cannot. */
function splitMarker(marker: string): { scheduleId: string; occurrence: number } {
  const bar = marker.lastIndexOf('|');
  return { scheduleId: marker.slice(0, bar), occurrence: Number(marker.slice(bar + 1)) };
}

/**
 * Step 2 of a claim or a cancel: plans each marked occurrence with `planNext` and applies
 * the plans in one script (lua/advance-schedules.ts). Returns, per marker, whether its job
 * is delivered: the plan's answer when this call moved the schedule, true when someone
 * already had (as SQLite answers for a re-claimed occurrence).
 */
export async function advanceSchedules(
  ctx: RedisContext,
  markers: readonly string[],
  schedules: ReadonlyMap<string, ScheduleRecord>,
  planNext: PlanNext,
  now: number,
): Promise<Map<string, boolean>> {
  const deliver = new Map<string, boolean>();
  if (markers.length === 0) return deliver;
  const args: (string | number)[] = [now, markers.length];
  for (const marker of markers) {
    const { scheduleId, occurrence } = splitMarker(marker);
    const schedule = schedules.get(scheduleId);
    // A schedule deleted since the claim: the script finds it gone and drops the marker.
    const plan = schedule ? planNext(schedule, occurrence, now) : { deliver: true, next: null };
    args.push(marker, plan.deliver ? '1' : '0');
    if (schedule && plan.next !== null) {
      const fields = jobFields(occurrenceJob(schedule, plan.next, now));
      args.push(fields.length);
      for (const value of fields) args.push(value);
    } else {
      args.push(0);
    }
  }
  const [results, signals] = await ctx.script<[[string, string][], string[]]>('chimeAdvanceSchedules', args);
  ctx.emitFlat(signals);
  markers.forEach((marker, i) => {
    const [outcome, delivered] = results[i]!;
    deliver.set(marker, outcome === 'done' ? true : delivered === '1');
  });
  return deliver;
}

export async function recordOutcomes(ctx: RedisContext, outcomes: readonly JobOutcome[]): Promise<void> {
  const args: (string | number)[] = [outcomes.length];
  for (const o of outcomes) {
    args.push(
      o.jobId,
      o.owner,
      o.status,
      o.status === 'retrying' && o.retryAt !== undefined ? o.retryAt : '',
      o.finishedAt,
      optional(o.result),
      optional(o.error ? JSON.stringify(o.error) : null),
      attemptJson(o.attempt),
      o.startedAt ?? '',
    );
  }
  ctx.emitFlat(await ctx.script<string[]>('chimeRecordOutcomes', args));
}

export async function extendLeases(ctx: RedisContext, owner: string, jobIds: readonly string[], until: number): Promise<string[]> {
  if (jobIds.length === 0) return [];
  return ctx.script<string[]>('chimeExtendLeases', [owner, until, ...jobIds]);
}

export async function releaseLeases(ctx: RedisContext, owner: string, jobIds: readonly string[], now: number): Promise<void> {
  if (jobIds.length === 0) return;
  ctx.emitFlat(await ctx.script<string[]>('chimeReleaseLeases', [owner, now, ...jobIds]));
}

export async function startJobs(ctx: RedisContext, owner: string, jobIds: readonly string[], now: number): Promise<void> {
  if (jobIds.length === 0) return;
  await ctx.script('chimeStartJobs', [owner, now, ...jobIds]);
}

export async function reapExpiredLeases(ctx: RedisContext, request: ReapRequest): Promise<ReapedJob[]> {
  const [reaped, signals] = await ctx.script<[[string, string, ReapedJob['status']][], string[]]>('chimeReapExpired', [
    request.now,
    Math.max(0, request.limit),
    request.takeBack === undefined ? '' : JSON.stringify(request.takeBack),
  ]);
  ctx.emitFlat(signals);
  return reaped.map(([jobId, owner, status]) => ({ jobId, previousOwner: owner === '' ? null : owner, status }));
}

export async function cancelRequested(ctx: RedisContext, jobIds: readonly string[]): Promise<string[]> {
  if (jobIds.length === 0) return [];
  const flags = await ctx.call((redis) => {
    const pipeline = redis.pipeline();
    for (const id of jobIds) pipeline.hget(ctx.keys.job(id), 'cancel_requested');
    return pipeline.exec();
  });
  return jobIds.filter((_, i) => flags?.[i]?.[1] === '1');
}

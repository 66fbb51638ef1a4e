/**
 * The Lua scripts, registered with ioredis `defineCommand`: each runs by EVALSHA (its SHA
 * cached by Redis after the first call), falling back to EVAL once after a Redis restart
 * empties the script cache.
 */
import type { Redis } from 'ioredis';
import { ADVANCE_SCHEDULES } from './lua/advance-schedules.js';
import { CANCEL_JOB } from './lua/cancel-job.js';
import { CLAIM_DUE } from './lua/claim-due.js';
import { CLEAR_QUEUE } from './lua/clear-queue.js';
import { CREATE_SCHEDULE } from './lua/create-schedule.js';
import { DELETE_SCHEDULE } from './lua/delete-schedule.js';
import { GET_SCHEDULE_BY_NAME } from './lua/get-schedule-by-name.js';
import { INSERT_JOBS } from './lua/insert-jobs.js';
import { JOB_COUNTS } from './lua/job-counts.js';
import { JOB_STATS_CHUNK } from './lua/job-stats.js';
import { EXTEND_LEASES, RELEASE_LEASES, START_JOBS } from './lua/lease-changes.js';
import { LIST_HISTORY } from './lua/list-history.js';
import { LIST_JOBS } from './lua/list-jobs.js';
import { LIST_QUEUES } from './lua/list-queues.js';
import { LIST_SCHEDULES } from './lua/list-schedules.js';
import { PEEK_DUE } from './lua/peek-due.js';
import { PURGE_FINISHED } from './lua/purge-finished.js';
import { REAP_EXPIRED } from './lua/reap-expired.js';
import { RECORD_OUTCOMES } from './lua/record-outcomes.js';
import { RETRY_JOB } from './lua/retry-job.js';
import { UPDATE_SCHEDULE } from './lua/update-schedule.js';
import { GLOBAL_KEYS } from './keys.js';

export const SCRIPTS = {
  chimeAdvanceSchedules: ADVANCE_SCHEDULES,
  chimeCancelJob: CANCEL_JOB,
  chimeClaimDue: CLAIM_DUE,
  chimeClearQueue: CLEAR_QUEUE,
  chimeCreateSchedule: CREATE_SCHEDULE,
  chimeDeleteSchedule: DELETE_SCHEDULE,
  chimeExtendLeases: EXTEND_LEASES,
  chimeGetScheduleByName: GET_SCHEDULE_BY_NAME,
  chimeInsertJobs: INSERT_JOBS,
  chimeJobCounts: JOB_COUNTS,
  chimeJobStatsChunk: JOB_STATS_CHUNK,
  chimeListHistory: LIST_HISTORY,
  chimeListJobs: LIST_JOBS,
  chimeListQueues: LIST_QUEUES,
  chimeListSchedules: LIST_SCHEDULES,
  chimePeekDue: PEEK_DUE,
  chimePurgeFinished: PURGE_FINISHED,
  chimeReapExpired: REAP_EXPIRED,
  chimeRecordOutcomes: RECORD_OUTCOMES,
  chimeReleaseLeases: RELEASE_LEASES,
  chimeRetryJob: RETRY_JOB,
  chimeStartJobs: START_JOBS,
  chimeUpdateSchedule: UPDATE_SCHEDULE,
} as const;

export type ScriptName = keyof typeof SCRIPTS;

type ScriptCommand = (args: (string | number)[]) => Promise<unknown>;

export function defineScripts(redis: Redis): void {
  for (const [name, lua] of Object.entries(SCRIPTS)) {
    redis.defineCommand(name, { numberOfKeys: GLOBAL_KEYS.length, lua });
  }
}

/** Runs a defined script with the global keys and the common ARGV (prefix, channel, origin). */
export function runScript(
  redis: Redis,
  name: ScriptName,
  keys: readonly string[],
  common: readonly string[],
  args: readonly (string | number)[],
): Promise<unknown> {
  const command = (redis as unknown as Record<ScriptName, ScriptCommand>)[name];
  // One array argument (ioredis flattens it): a 10,000-job insert has ~250k arguments,
  // beyond what a JavaScript spread call accepts.
  return command.call(redis, [...keys, ...common, ...args]);
}

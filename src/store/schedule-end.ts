import type { JobStatus, ScheduleRecord, ScheduleStatus } from '../core/types.js';

/**
 * The status a schedule takes when its last occurrence reaches a final status: `expired`
 * when its ttl stopped it before its repeats ran out, `failed` when the last occurrence
 * was dead-lettered or timed out, `completed` otherwise (a skipped one-shot included).
 * Mirrored by the SQLite store's FINISH_IF_DONE_SQL (test/store/sqlite-schedule-end.test.ts
 * holds the two to the same answers) and the Redis store's schedule-end.lua: change all three.
 */
export function finishedScheduleStatus(
  schedule: Pick<ScheduleRecord, 'recurrence' | 'repeats' | 'fireCount' | 'expiresAt'>,
  lastJobStatus: JobStatus,
): ScheduleStatus {
  if (lastJobStatus === 'failed' || lastJobStatus === 'timeout') return 'failed';
  const repeatsLeft = schedule.repeats === null || schedule.fireCount < schedule.repeats;
  if (schedule.recurrence.kind !== 'once' && schedule.expiresAt !== null && repeatsLeft) return 'expired';
  return 'completed';
}

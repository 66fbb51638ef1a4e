/**
 * Records the stores hand back, built alike by every backend. Properties are assigned rather
 * than added after a spread (`{ ...job, deliver }`): V8 adds each property that follows a
 * spread through its slow path, microseconds for every job (docs/architecture.md, "Per-job code").
 */
import type { ClaimedJob, JobRecord, ScheduleRecord } from '../core/types.js';
import type { NewSchedule } from './store.js';

/** A freshly read job record as a claim hands it out: the same object, `deliver` set. */
export function claimedJob(job: JobRecord, deliver: boolean): ClaimedJob {
  const claimed = job as ClaimedJob;
  claimed.deliver = deliver;
  return claimed;
}

/** A schedule as just created: never fired. */
export function newScheduleRecord(schedule: NewSchedule): ScheduleRecord {
  const record = Object.assign({}, schedule) as ScheduleRecord;
  record.fireCount = 0;
  record.lastOccurrence = null;
  record.lastRunAt = null;
  return record;
}

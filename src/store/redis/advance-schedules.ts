/** Step 2 of a claim or a cancel on Redis: plan each marked occurrence and apply the plans. */
import type { ScheduleRecord } from '../../core/types.js';
import { occurrenceJob } from '../occurrence-job.js';
import type { DueSignal, PlanNext } from '../store.js';
import type { RedisContext } from './context.js';
import { jobFields, signalsFromFlat } from './rows.js';

/** A marker is "schedule id|occurrence"; the id may itself hold '|', the occurrence cannot. */
function splitMarker(marker: string): { scheduleId: string; occurrence: number } {
  const bar = marker.lastIndexOf('|');
  return { scheduleId: marker.slice(0, bar), occurrence: Number(marker.slice(bar + 1)) };
}

/**
 * Step 2 of a claim or a cancel: plans each marked occurrence with `planNext` and applies
 * the plans in one script (lua/advance-schedules.lua). Returns, per marker, whether its job
 * is delivered: the plan's answer when this call moved the schedule, true when someone
 * already had (as SQLite answers for a re-claimed occurrence).
 */
export async function advanceSchedules(
  ctx: RedisContext,
  markers: readonly string[],
  schedules: ReadonlyMap<string, ScheduleRecord>,
  planNext: PlanNext,
  now: number,
  /** Receives the signals of the occurrences inserted. */
  signals: DueSignal[] = [],
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
  const [results, flat] = await ctx.script<[[string, string][], string[]]>('chimeAdvanceSchedules', args);
  signals.push(...signalsFromFlat(flat));
  markers.forEach((marker, i) => {
    const [outcome, delivered] = results[i]!;
    deliver.set(marker, outcome === 'done' ? true : delivered === '1');
  });
  return deliver;
}

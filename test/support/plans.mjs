// Planners for store tests, in plain JavaScript so that the SQLite store's thread can load them
// by URL (src/store/planners.ts): fixtures.ts wraps them with modulePlanner().

/** A planner for `every` schedules: next = occurrence + everyMs, honouring repeats. */
export function everyPlan(schedule, occurrence) {
  if (schedule.recurrence.kind !== 'every') return { deliver: true, next: null };
  if (schedule.repeats !== null && schedule.fireCount + 1 >= schedule.repeats) return { deliver: true, next: null };
  return { deliver: true, next: occurrence + schedule.recurrence.everyMs };
}

/** Delivers and plans nothing after. */
export function noNext() {
  return { deliver: true, next: null };
}

/**
 * Ends the thread it runs on (`process.exit` in a worker thread ends that thread): how the
 * tests stop the SQLite store's thread mid-call. Never pass it to a store in the test's own
 * thread.
 */
export function exitThread() {
  process.exit(3);
}

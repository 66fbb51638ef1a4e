/**
 * Status tests spelled as ORs of equalities. SQLite evaluates `status IN (...)` with three or
 * more constants by building a temporary b-tree (an "ephemeral table") each time: once per
 * statement, or, in a partial index's predicate, for the old and the new row of every write.
 * Comparisons build nothing. Migration 011 defines the finished-row indexes with the same text,
 * which the queries that use them must repeat exactly (SQLite matches a partial index's
 * predicate against the query's WHERE as an expression).
 */
import { FINAL_STATUSES } from '../../core/types.js';

function statusIsOneOf(statuses: readonly string[]): string {
  return statuses.map((status) => `status = '${status}'`).join(' OR ');
}

/** A job that has ended: jobs_finished's predicate. */
export const FINISHED_JOB_SQL = statusIsOneOf(FINAL_STATUSES);

/** A schedule that has ended: schedules_finished's predicate. */
export const FINISHED_SCHEDULE_SQL = statusIsOneOf(['completed', 'expired', 'failed']);

/**
 * SQL spelled so that SQLite does no extra work each time a statement runs. Both rules were
 * found counting instructions with valgrind (scripts/measure-store-instructions.mjs;
 * docs/benchmarks.md, "SQLite work per fired job").
 *
 * Status tests are ORs of equalities. SQLite evaluates `status IN (...)` with three or more
 * constants by building a temporary b-tree (an "ephemeral table") each time: once per statement,
 * or, in a partial index's predicate, for the old and the new row of every write. Migration 011
 * defines the finished-row indexes with the same text, which the queries that use them must
 * repeat exactly (SQLite matches a partial index's predicate against the query's WHERE as an
 * expression).
 *
 * A LIMIT from a parameter is `LIMIT ${BOUND_LIMIT}`, never a bare `?`: SQLite 3.51 reads a bare
 * parameter there as a constant while it prepares the statement, and so marks the statement to
 * be prepared again whenever that parameter is bound, which better-sqlite3 does on every run.
 */
import { DEAD_LETTER_STATUSES, FINAL_STATUSES } from '../../core/types.js';

function statusIsOneOf(statuses: readonly string[]): string {
  return statuses.map((status) => `status = '${status}'`).join(' OR ');
}

/** A job that has ended: jobs_finished's predicate. */
export const FINISHED_JOB_SQL = statusIsOneOf(FINAL_STATUSES);

/** A dead letter: jobs_dead_letters' predicate (migration 012), which the dead letters' reads repeat. */
export const DEAD_LETTER_SQL = `target = 'callback' AND (${statusIsOneOf(DEAD_LETTER_STATUSES)})`;

/** A failed job: jobs_failed_by_dialect's predicate (migration 013), which the reads of failed jobs repeat. */
export const FAILED_JOB_SQL = statusIsOneOf(['failed']);

/** A schedule that has ended: schedules_finished's predicate. */
export const FINISHED_SCHEDULE_SQL = statusIsOneOf(['completed', 'expired', 'failed']);

/** A LIMIT's parameter as an expression SQLite evaluates when the statement runs. */
export const BOUND_LIMIT = 'CAST(? AS INTEGER)';

/** A task job, found through jobs_dialect: every task job is a v1 one (migration 015 dropped the index by target). */
export const TASK_JOB_SQL = `dialect = 'v1' AND target = 'task'`;

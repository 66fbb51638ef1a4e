import { PRIORITY_RANK, type JobRecord } from '../core/types.js';
import type { JobKeyset, JobOrderField, SortDirection } from './store.js';

/**
 * How the stores order and page jobs lists. The column (SQL) or hash field (Redis) each `JobQuery.orderBy` sorts on; every store names
 * them after the SQLite columns. SQLite orders creation by its rowid instead (no index needed).
 */
export const JOB_ORDER_COLUMNS: Readonly<Record<JobOrderField, string>> = {
  created_at: 'created_at',
  scheduled_at: 'occurrence',
  run_at: 'run_at',
  priority: 'priority',
  status: 'status',
  started_at: 'started_at',
  completed_at: 'completed_at',
};

/** The value a job sorts by under `orderBy`, as the stores hold it (priority as its rank). */
export function jobOrderValue(job: JobRecord, orderBy: JobOrderField): string | number | null {
  switch (orderBy) {
    case 'created_at':
      return job.createdAt;
    case 'scheduled_at':
      return job.occurrence;
    case 'run_at':
      return job.runAt;
    case 'priority':
      return PRIORITY_RANK[job.priority];
    case 'status':
      return job.status;
    case 'started_at':
      return job.startedAt;
    case 'completed_at':
      return job.completedAt;
  }
}

/** The keyset after the last of `items` when the page is full; null otherwise (no next page). */
export function nextKeyset<T>(items: readonly T[], limit: number, keyOf: (item: T) => JobKeyset): JobKeyset | null {
  const last = items[items.length - 1];
  return items.length === limit && last !== undefined ? keyOf(last) : null;
}

/**
 * SQL keeping the rows strictly after `after` in `ORDER BY column dir, tie dir`, with NULLs
 * smallest (first ascending, last descending: SQLite's order, and the PostgreSQL store's
 * NULLS FIRST/LAST). `bind` adds a parameter and returns its placeholder; it is called in the
 * order the placeholders appear, so positional `?` works too.
 */
export function keysetAfterSql(column: string, tie: string, dir: SortDirection, after: JobKeyset, bind: (value: unknown) => string): string {
  const cmp = dir === 'asc' ? '>' : '<';
  const tieAfter = () => `${tie} ${cmp} ${bind(after.tie)}`;
  if (column === tie) return tieAfter();
  if (after.value === null) {
    // Among the NULLs by tie; ascending, every non-NULL value comes after them all.
    return dir === 'asc' ? `((${column} IS NULL AND ${tieAfter()}) OR ${column} IS NOT NULL)` : `(${column} IS NULL AND ${tieAfter()})`;
  }
  // A column that is never NULL also gets a plain bound, which an index can seek to: the OR
  // alone is only a filter, and a page deep in PostgreSQL's list walked every row before it
  // (272 ms half-way through 1M jobs; 0.06 ms with the bound). Built first: `bind` is called
  // in the order the placeholders appear.
  const bound = NEVER_NULL.has(column) ? `${column} ${cmp}= ${bind(after.value)} AND ` : null;
  const beyond = `${column} ${cmp} ${bind(after.value)} OR (${column} = ${bind(after.value)} AND ${tieAfter()})`;
  if (bound !== null) return `(${bound}(${beyond}))`;
  return dir === 'asc' ? `(${beyond})` : `(${beyond} OR ${column} IS NULL)`;
}

/** Order columns declared NOT NULL in every SQL store. */
const NEVER_NULL: ReadonlySet<string> = new Set(['created_at', 'occurrence', 'run_at', 'priority', 'status']);

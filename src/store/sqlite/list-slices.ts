/**
 * Partial indexes over rare slices of jobs, and the lists they serve. A list that asks for
 * exactly such a slice walks its index, named (INDEXED BY) and with its predicate spelled as
 * the migration spells it: SQLite uses a partial index only when the query's WHERE contains its
 * predicate, and even then preferred the equality on `jobs_dialect` (or on `jobs_target`,
 * before migration 015 dropped it), a walk over every job of a dialect (or every callback job).
 * On SQLite that walk holds the event loop, and every firing waits for it (docs/benchmarks.md,
 * "SQLite: the dead letters and the failed jobs indexed").
 */
import { DEAD_LETTER_STATUSES, type JobStatus } from '../../core/types.js';
import type { JobQuery } from '../store.js';
import { DEAD_LETTER_SQL, FAILED_JOB_SQL } from './sql-spellings.js';

export interface ListSlice {
  index: string;
  /** The index's predicate; it stands for the query's status filter (and target, if `coversTarget`). */
  predicate: string;
  coversTarget: boolean;
}

/** Migration 012: callback jobs whose retries ran out or whose last attempt timed out. */
export const DEAD_LETTER_SLICE: ListSlice = { index: 'jobs_dead_letters', predicate: DEAD_LETTER_SQL, coversTarget: true };

const SLICES: readonly (ListSlice & { serves: (query: JobQuery) => boolean })[] = [
  {
    ...DEAD_LETTER_SLICE,
    serves: (query) => query.target === 'callback' && sameStatuses(query.statuses, DEAD_LETTER_STATUSES),
  },
  // Migration 013: failed jobs, by dialect (the platform list's failed filter).
  {
    index: 'jobs_failed_by_dialect',
    predicate: FAILED_JOB_SQL,
    coversTarget: false,
    serves: (query) => query.dialect !== undefined && sameStatuses(query.statuses, ['failed']),
  },
];

/** The slice index a list walks, if it asks for exactly one slice. */
export function listSliceOf(query: JobQuery): ListSlice | undefined {
  return SLICES.find((slice) => slice.serves(query));
}

function sameStatuses(statuses: readonly JobStatus[] | undefined, wanted: readonly JobStatus[]): boolean {
  return statuses !== undefined && statuses.length === wanted.length && wanted.every((status) => statuses.includes(status));
}

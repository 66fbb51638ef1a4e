import type { JobOrderField } from './store.js';

/**
 * The column (SQL) or hash field (Redis) each `JobQuery.orderBy` sorts on; every store names
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

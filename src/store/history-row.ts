/**
 * The history table's row, the same in both SQL backends (SQLite and PostgreSQL keep the
 * same columns and types), and its mapping to the domain entry.
 */
import type { AttemptOutcome, HistoryEntry } from '../core/types.js';

export interface HistoryRow {
  id: number;
  job_id: string;
  schedule_id: string | null;
  name: string | null;
  occurrence: number;
  fired_at: number;
  attempt: number;
  outcome: AttemptOutcome;
  http_status: number | null;
  duration_ms: number;
  error: string | null;
  worker_id: string | null;
  response: string | null;
}

export function historyFromRow(row: HistoryRow): HistoryEntry {
  return {
    id: row.id,
    jobId: row.job_id,
    scheduleId: row.schedule_id,
    name: row.name,
    occurrence: row.occurrence,
    firedAt: row.fired_at,
    attempt: row.attempt,
    outcome: row.outcome,
    httpStatus: row.http_status,
    durationMs: row.duration_ms,
    error: row.error,
    workerId: row.worker_id,
    response: row.response ?? null,
  };
}

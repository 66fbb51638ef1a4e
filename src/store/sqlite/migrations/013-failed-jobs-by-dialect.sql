-- The platform's job list filtered to failed jobs (`GET /api/v1/jobs?status=failed`) walked
-- `jobs_dialect` over every v1 job, reading each row's status, on the event loop (the store
-- runs on it unless `?thread=on`): with 1,000,000 v1 jobs none of which had failed, a first
-- page took 359-538 ms, and every firing waited that long (docs/benchmarks.md, "SQLite: the
-- dead letters and the failed jobs indexed"). This index holds only failed jobs, by dialect, in
-- insertion order (the rowid): the page is its newest entries. Only a job that fails pays an
-- entry; the predicate is one equality, cheap to check on every write. The reads spell it as
-- FAILED_JOB_SQL (sqlite/sql-spellings.ts).
CREATE INDEX jobs_failed_by_dialect ON jobs(dialect) WHERE status = 'failed';

-- The dead letters (`GET /v1.0/dead-letters`, the dashboard overview's count) are callback jobs
-- that failed or timed out, newest first. No index found them: the list walked `jobs_target`
-- over every callback job and read each row's status. With 1,000,000 Dapr-style jobs of which
-- 10,000 failed, the first page and total took 305 ms, on the event loop (the store runs on it
-- unless `?thread=on`), so every firing waited that long each time the overview refreshed its
-- counts; 0.6 ms with this index (docs/benchmarks.md, "SQLite: the dead letters and the failed
-- jobs indexed").
--
-- Only a job that ends dead-lettered pays an entry. The predicate is DEAD_LETTER_SQL
-- (sqlite/sql-spellings.ts), which the dead letters' reads repeat word for word: SQLite uses a
-- partial index only when the query's WHERE contains its predicate. Two ORed equalities build
-- no temporary b-tree when the predicate is checked on each write (see migration 011).
CREATE INDEX jobs_dead_letters ON jobs(completed_at)
  WHERE target = 'callback' AND (status = 'failed' OR status = 'timeout');

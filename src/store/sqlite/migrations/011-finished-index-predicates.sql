-- The two finished-row indexes, their predicates written as ORs of equalities instead of
-- `status IN (...)`. SQLite evaluates an IN list of three or more constants by building a
-- temporary b-tree, and a partial index's predicate is evaluated for the old and the new row
-- of every write to the table: each UPDATE of a job or a schedule built two such b-trees per
-- index, whatever column it changed. Counted with valgrind (scripts/measure-store-instructions.mjs,
-- docs/benchmarks.md "SQLite work per fired job"), the store's work per fired Dapr job fell
-- by the share given there.
--
-- Queries that use these indexes (purgeFinished) spell the predicate with the same text
-- (FINISHED_JOB_SQL, FINISHED_SCHEDULE_SQL in sqlite/sql-spellings.ts): SQLite uses a partial index
-- only when the query's WHERE contains its predicate.
DROP INDEX jobs_finished;
CREATE INDEX jobs_finished ON jobs(completed_at)
  WHERE status = 'completed' OR status = 'failed' OR status = 'cancelled' OR status = 'timeout';
DROP INDEX schedules_finished;
CREATE INDEX schedules_finished ON schedules(updated_at)
  WHERE status = 'completed' OR status = 'expired' OR status = 'failed';

-- `jobs_target_created` (009) leaves, and the two reads it served walk other indexes.
--
-- A claim and an outcome are each a non-HOT update (`status` is in partial-index predicates),
-- so every index of `jobs` whose predicate holds gets a new entry for each of them, and a job
-- is written three times (insert, claim, outcome). `jobs_target_created` holds every job, so it
-- cost each job three wide entries: about 5 µs of PostgreSQL CPU per task job claimed and
-- completed, an eighth of it (docs/benchmarks.md, "PostgreSQL: no list index over
-- every job").
--
-- - The task job stats (`target = 'task'`) now read `dialect = 'v1' AND target = 'task'`
--   through 010's `jobs_dialect_created`: a task job is always a `/api/v1` job (the platform
--   makes them; a Dapr-style job calls back). The constraint below makes that a rule of the
--   table, so the two filters select the same rows; rows made against it (none by Chime)
--   become v1 jobs first.
-- - The dead letters (`target = 'callback'`, failed or timed out, newest first) get an index
--   of their own, paid only by the jobs that end dead-lettered. 009's index did not serve
--   them: with 1,000,000 Dapr-style jobs of which 10,000 failed, their first page and total
--   took 319-349 ms (a walk of every finished job: the dead-letter pages, and the dashboard
--   overview's count at most every 10 s); 1.4-1.5 ms with this index
--   (scripts/measure-job-reads.mjs postgres).
UPDATE jobs SET dialect = 'v1' WHERE target = 'task' AND dialect <> 'v1';
ALTER TABLE jobs ADD CONSTRAINT jobs_task_is_v1 CHECK (target <> 'task' OR dialect = 'v1');
DROP INDEX IF EXISTS jobs_target_created;
CREATE INDEX jobs_dead_letters ON jobs (completed_at DESC NULLS LAST, id DESC)
  WHERE target = 'callback' AND status IN ('failed', 'timeout');

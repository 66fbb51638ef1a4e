-- 009's `jobs_target (target)` held every job and served only the task job stats (`target =
-- 'task'`) and the target filter of a list, which the API sends only for the dead letters (they
-- walk 012's `jobs_dead_letters`). A task job is always a `/api/v1` one (the platform makes them;
-- a Dapr-style job calls back; PostgreSQL's 013 made it a rule of its table), so the stats read
-- the task jobs through 010's `jobs_dialect` (`dialect = 'v1' AND target = 'task'`, platform.ts)
-- and a job no longer pays the index an entry at its insert (docs/benchmarks.md, "SQLite: one
-- index fewer per job"). Rows made against that rule (none by Chime) become v1 jobs first, so
-- the two filters still select the same rows.
UPDATE jobs SET dialect = 'v1' WHERE target = 'task' AND dialect <> 'v1';
DROP INDEX IF EXISTS jobs_target;

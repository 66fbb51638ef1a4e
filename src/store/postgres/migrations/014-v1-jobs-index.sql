-- 010's `jobs_dialect_created (dialect, created_at DESC, id DESC)` held every job, yet serves
-- only reads of `/api/v1` jobs: the platform's job list (`dialect = 'v1'`) and, since 013, the
-- task job stats. A claim and an outcome are each a non-HOT update, so every Dapr-style job paid
-- it three wide entries (insert, claim, outcome). It becomes `jobs_v1_created`, the same order
-- over the v1 jobs only; a Dapr-style job claimed and completed costs PostgreSQL about a tenth
-- less CPU (docs/benchmarks.md, "PostgreSQL: no list index over every job"). The two reads
-- spell `dialect = 'v1'` (bound as a parameter, planned with its value), which implies the
-- predicate. The build reads `jobs` once while writes wait.
DROP INDEX IF EXISTS jobs_dialect_created;
CREATE INDEX jobs_v1_created ON jobs (created_at DESC NULLS LAST, id DESC) WHERE dialect = 'v1';

-- Every job list now filters on `target` or `dialect` and walks 009's or 010's index, so
-- `jobs_created (created_at)` served no query; it only cost each job update an index entry
-- (a claim and an outcome are each a non-HOT update: `status` is in partial-index
-- predicates). Measured in docs/benchmarks.md, "PostgreSQL: one index fewer per job update".
DROP INDEX IF EXISTS jobs_created;

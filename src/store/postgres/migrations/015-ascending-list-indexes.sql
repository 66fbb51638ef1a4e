-- 014's `jobs_v1_created` and 013's `jobs_dead_letters` were built newest first (DESC), so each
-- new entry (created_at and completed_at only grow) went in at the index's low end, and a
-- B-tree page split anywhere but at its rightmost page leaves two half-full pages: with 200,000
-- future v1 jobs, `jobs_v1_created` took 122 bytes per job against the primary key's 59 (ids
-- grow too, but ascending). Built ascending, new entries land on the rightmost page, and
-- PostgreSQL splits that one so that the page left behind stays full (its fillfactor, 90%).
-- The lists read them either way: backward for newest first (`DESC NULLS LAST`, the exact
-- reverse of `ASC NULLS FIRST`), forward for oldest first (docs/benchmarks.md, "PostgreSQL: the
-- list indexes built ascending"). Each build reads `jobs` once while writes wait.
DROP INDEX IF EXISTS jobs_v1_created;
CREATE INDEX jobs_v1_created ON jobs (created_at ASC NULLS FIRST, id ASC) WHERE dialect = 'v1';
DROP INDEX IF EXISTS jobs_dead_letters;
CREATE INDEX jobs_dead_letters ON jobs (completed_at ASC NULLS FIRST, id ASC)
  WHERE target = 'callback' AND status IN ('failed', 'timeout');

-- The platform jobs list (`GET /api/v1/jobs`) keeps `target = 'task'` and pages newest first by
-- seq. Without an index it walked the rowid table past every Dapr (callback) job newer than the
-- task jobs. Measured on 1,000,000 task jobs followed by 1,000,000 callback jobs: first page
-- 229 ms -> 1.3 ms, with a queue filter 237 ms -> 0.4 ms, the count 400 ms -> 30 ms. The index
-- holds the rowid, so it gives seq order within a target with no sort. Its cost: about 5% on
-- bulk inserts (no status column in it, so a job's status changes do not touch it).
CREATE INDEX jobs_target ON jobs(target);

-- The platform jobs list (`GET /api/v1/jobs`) keeps `target = 'task'` and orders by
-- `created_at DESC NULLS LAST, id DESC` (or the reverse). No index matched that order, so each
-- page was a scan and a top-N sort of every job. Measured on 1,000,000 task and 1,000,000
-- callback jobs: first page 468 ms (parallel seq scan) -> 0.3 ms (this index, forward; a
-- backward walk serves `order_dir=asc`).
CREATE INDEX jobs_target_created ON jobs (target, created_at DESC NULLS LAST, id DESC);

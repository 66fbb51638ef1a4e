-- One index for the claimed slice instead of two: 001's `jobs_leased (lease_until)` (the
-- reaper's walk in lease order) and 002's `jobs_leased_queue (queue)` (per-queue counts of
-- claimed jobs) become `jobs_leased (queue, lease_until)`, the index SQLite has had from its
-- start. A claim is a non-HOT update (`status` is in partial-index predicates), so each index
-- of `jobs` costs every claimed job an entry; this one fewer is measured in
-- docs/benchmarks.md, "PostgreSQL: one leased index". The reaper now reads every claimed job
-- and sorts by lease end, a slice as large as the jobs in flight, not the table.
DROP INDEX IF EXISTS jobs_leased;
DROP INDEX IF EXISTS jobs_leased_queue;
CREATE INDEX jobs_leased ON jobs (queue, lease_until) WHERE status IN ('reserved', 'running');

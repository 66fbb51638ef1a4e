--  Makes counting dead letters (metrics) an index-only walk over the failed jobs.
CREATE INDEX jobs_failed ON jobs (queue) WHERE status = 'failed';

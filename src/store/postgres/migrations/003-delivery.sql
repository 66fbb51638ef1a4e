-- Per-job delivery (issue 12): a job's own target and hooks as JSON text (null: the server's
-- app URL), and the first bytes of the app's answer in each history entry. Adding nullable
-- columns without a default rewrites nothing, so this is quick on a large table.
ALTER TABLE jobs ADD COLUMN IF NOT EXISTS delivery TEXT;
ALTER TABLE history ADD COLUMN IF NOT EXISTS response TEXT;

-- Per-job delivery (issue 12): a job's own target and hooks as JSON text (null: the server's
-- app URL), and the first bytes of the app's answer in each history entry.
ALTER TABLE jobs ADD COLUMN delivery TEXT;
ALTER TABLE history ADD COLUMN response TEXT;

--  The W3C trace context of the request that created a job (docs/operations.md, "Traces").
ALTER TABLE jobs ADD COLUMN traceparent TEXT;

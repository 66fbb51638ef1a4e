-- What each commit made due, for the other processes sharing the file (a `chime worker`
-- beside `chime serve`), as PostgreSQL's nodes learn it from NOTIFY. Before this table a
-- peer's commit reached a process only as "something changed" (PRAGMA data_version), and each
-- one made it re-read its windows and claim at once: with a worker draining jobs beside the
-- server, the server took the write lock for an empty claim after nearly every commit of the
-- worker, and the two slept in SQLite's busy handler hundreds of times per thousand jobs
-- (docs/benchmarks.md, "SQLite: a peer's commits say what they made due"). Now a commit that
-- makes something due appends a row per lane in the same transaction (SqliteContext.publish);
-- a commit that only claims, extends leases or records a finished job appends nothing, and
-- the peers read only the new rows (PeerWrites). A row without a target means "re-read
-- everything" (a queue resumed, a concurrency limit changed). The oldest rows are pruned
-- as new ones come: a peer that missed some re-reads everything.
CREATE TABLE due_log (
  id INTEGER PRIMARY KEY,
  origin TEXT NOT NULL,
  target TEXT,
  queue TEXT,
  run_at INTEGER,
  more INTEGER NOT NULL DEFAULT 0
);

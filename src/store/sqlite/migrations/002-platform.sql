--  The job platform's queues (pause, concurrency), registered tasks and worker heartbeats.
CREATE TABLE queues (
  name        TEXT PRIMARY KEY,
  paused      INTEGER NOT NULL DEFAULT 0,
  concurrency INTEGER,
  updated_at  INTEGER NOT NULL
) WITHOUT ROWID;

CREATE TABLE tasks (
  name           TEXT NOT NULL,
  version        TEXT NOT NULL,
  description    TEXT NOT NULL,
  queue          TEXT NOT NULL,
  timeout_ms     INTEGER NOT NULL,
  max_retries    INTEGER NOT NULL,
  retry_delay_ms INTEGER NOT NULL,
  is_async       INTEGER NOT NULL,
  registered_at  INTEGER NOT NULL,
  last_seen_at   INTEGER NOT NULL,
  PRIMARY KEY (name, version)
) WITHOUT ROWID;

CREATE TABLE workers (
  id           TEXT PRIMARY KEY,
  hostname     TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  queues       TEXT NOT NULL,
  tasks        TEXT NOT NULL,
  concurrency  INTEGER NOT NULL,
  started_at   INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  status       TEXT NOT NULL
) WITHOUT ROWID;

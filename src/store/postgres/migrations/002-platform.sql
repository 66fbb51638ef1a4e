-- The job platform's queues (pause, concurrency), registered tasks and worker heartbeats.
-- `jobs_leased_queue` makes the per-queue count of claimed jobs (concurrency limits,
-- `listQueues`) an index-only walk over the claimed slice.
CREATE TABLE queues (
  name        TEXT COLLATE "C" PRIMARY KEY,
  paused      BOOLEAN NOT NULL DEFAULT false,
  concurrency INTEGER,
  updated_at  BIGINT NOT NULL
);

CREATE TABLE tasks (
  name           TEXT COLLATE "C" NOT NULL,
  version        TEXT COLLATE "C" NOT NULL,
  description    TEXT NOT NULL,
  queue          TEXT COLLATE "C" NOT NULL,
  timeout_ms     BIGINT NOT NULL,
  max_retries    BIGINT NOT NULL,
  retry_delay_ms BIGINT NOT NULL,
  is_async       BOOLEAN NOT NULL,
  registered_at  BIGINT NOT NULL,
  last_seen_at   BIGINT NOT NULL,
  PRIMARY KEY (name, version)
);

CREATE TABLE workers (
  id           TEXT COLLATE "C" PRIMARY KEY,
  hostname     TEXT NOT NULL,
  pid          INTEGER NOT NULL,
  queues       JSONB NOT NULL,
  tasks        JSONB NOT NULL,
  concurrency  INTEGER NOT NULL,
  started_at   BIGINT NOT NULL,
  last_seen_at BIGINT NOT NULL,
  status       TEXT NOT NULL
);

CREATE INDEX jobs_leased_queue ON jobs (queue) WHERE status IN ('reserved', 'running');

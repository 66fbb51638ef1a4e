-- Schedules, jobs and their firing history: the same logical tables as the SQLite store.
-- Runs with `search_path` set to the store's schema (see ../migrate.ts).
--
-- - Times are BIGINT epoch milliseconds, as everywhere in Chime.
-- - `payload`, `metadata` and `result` are TEXT: the exact JSON text the caller gave.
--   Schedule definitions are `json` (kept as written, so `source` echoes back unchanged);
--   tags, failure policies and errors are `jsonb` (tags are matched with `@>`).
-- - Ids, names and queues are COLLATE "C": byte order is cheaper to compare than a locale's,
--   matches SQLite's ordering, and keeps the name-prefix range (`name >= p AND name < p || U+10FFFF`)
--   on the index whatever the database's default collation is.
-- - Indexes are partial where the hot query reads one slice: `jobs_due` holds only waiting
--   jobs, so claims and peeks never walk the finished millions, and the occurrence key skips
--   the one-off jobs that have no schedule. Each extra full index costs every insert.
CREATE TABLE schedules (
  id              TEXT COLLATE "C" PRIMARY KEY,
  name            TEXT COLLATE "C" NOT NULL,
  dialect         TEXT NOT NULL,
  target          TEXT NOT NULL,
  status          TEXT NOT NULL,
  recurrence      JSON NOT NULL,
  start_at        BIGINT,
  expires_at      BIGINT,
  repeats         BIGINT,
  missed_fire     TEXT NOT NULL,
  template        JSON NOT NULL,
  fire_count      BIGINT NOT NULL DEFAULT 0,
  last_occurrence BIGINT,
  last_run_at     BIGINT,
  next_run_at     BIGINT,
  source          JSON NOT NULL,
  created_at      BIGINT NOT NULL,
  updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX schedules_callback_name ON schedules (name) WHERE target = 'callback';
CREATE INDEX schedules_created ON schedules (created_at);
CREATE INDEX schedules_finished ON schedules (updated_at) WHERE status IN ('completed', 'expired', 'failed');

CREATE TABLE jobs (
  id               TEXT COLLATE "C" PRIMARY KEY,
  schedule_id      TEXT COLLATE "C",
  name             TEXT COLLATE "C",
  occurrence       BIGINT NOT NULL,
  run_at           BIGINT NOT NULL,
  status           TEXT NOT NULL,
  target           TEXT NOT NULL,
  queue            TEXT COLLATE "C" NOT NULL,
  task_name        TEXT COLLATE "C",
  task_version     TEXT COLLATE "C",
  priority         SMALLINT NOT NULL,
  payload          TEXT NOT NULL,
  failure_policy   JSONB,
  max_retries      BIGINT,
  timeout_ms       BIGINT,
  tags             JSONB NOT NULL,
  metadata         TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  lease_owner      TEXT,
  lease_until      BIGINT,
  worker_id        TEXT,
  created_at       BIGINT NOT NULL,
  started_at       BIGINT,
  completed_at     BIGINT,
  result           TEXT,
  error            JSONB,
  cancel_requested BOOLEAN NOT NULL DEFAULT false,
  dialect          TEXT NOT NULL
);
CREATE INDEX jobs_due ON jobs (queue, priority, run_at) WHERE status IN ('pending', 'retrying');
CREATE UNIQUE INDEX jobs_occurrence ON jobs (schedule_id, occurrence) WHERE schedule_id IS NOT NULL;
CREATE INDEX jobs_leased ON jobs (lease_until) WHERE status IN ('reserved', 'running');
CREATE INDEX jobs_created ON jobs (created_at);
CREATE INDEX jobs_finished ON jobs (completed_at) WHERE status IN ('completed', 'failed', 'cancelled', 'timeout');

CREATE TABLE history (
  id          BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  job_id      TEXT COLLATE "C" NOT NULL,
  schedule_id TEXT COLLATE "C",
  name        TEXT,
  occurrence  BIGINT NOT NULL,
  fired_at    BIGINT NOT NULL,
  attempt     INTEGER NOT NULL,
  outcome     TEXT NOT NULL,
  http_status INTEGER,
  duration_ms DOUBLE PRECISION NOT NULL,
  error       TEXT,
  worker_id   TEXT
);
CREATE INDEX history_job ON history (job_id);
CREATE INDEX history_schedule ON history (schedule_id, id) WHERE schedule_id IS NOT NULL;
CREATE INDEX history_fired ON history (fired_at);

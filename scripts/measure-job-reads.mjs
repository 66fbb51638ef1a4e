#!/usr/bin/env node
/**
 * A store's job reads that walk many jobs, timed at scale: the task job stats (dashboard
 * overview, queue stats), the dead letters' first page and total, and the platform's jobs list
 * (`GET /api/v1/jobs`) first page and total, with and without a queue filter, and its first
 * page of failed jobs. Jobs are written straight into the store's tables (a PostgreSQL schema of
 * their own, dropped after; a SQLite file in a temporary folder): `dapr` finished Dapr-style
 * callback jobs (1 in 100 failed: dead letters), `tasks` finished task jobs and `http` finished
 * `/api/v1` jobs with an HTTP target (1 in 50 of these failed; none with FAILED_EVERY=0). Each
 * read runs 25 times, the first 5 not counted; prints each one's p50 in ms and the longest the
 * event loop was held while it ran (whatever a read holds the loop for, every firing waits; on
 * SQLite the counting parts run on the scan reader's thread), then the indexes of `jobs`.
 *
 *   npm run build && node scripts/measure-job-reads.mjs postgres [dapr=1000000] [tasks=10000] [http=0] [waiting=0]
 *   node scripts/measure-job-reads.mjs sqlite 1000000 10000 0
 *   node scripts/measure-job-reads.mjs sqlite 0 0 0 1000000     a backlog: the job counts (metrics) and queues
 *
 * `waiting`: Dapr-style jobs not due yet (a backlog), which the job counts (each metrics
 * scrape, the overview) and the queue list count by queue.
 *   DROP_INDEX=jobs_v1_created node scripts/measure-job-reads.mjs postgres   without an index, to see what it serves
 *     (on SQLite not one a list names with INDEXED BY: jobs_dead_letters, jobs_failed_by_dialect)
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-job-reads.mjs ...  another build
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const requireFromRoot = createRequire(join(root, 'package.json'));
const backend = process.argv[2] ?? 'postgres';
const dapr = Number(process.argv[3] ?? 1_000_000);
const tasks = Number(process.argv[4] ?? 10_000);
const http = Number(process.argv[5] ?? 0);
const waiting = Number(process.argv[6] ?? 0);
const RUNS = 25;
const WARMUP = 5;
const T0 = 1_700_000_000_000;

/** A store of the backend, and plain SQL on its tables beside it. */
async function openBackend() {
  if (backend === 'postgres') {
    const pg = requireFromRoot('pg');
    const { createPostgresStore } = await import(join(root, 'dist/store/postgres/index.js'));
    const url = process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
    const schema = `chime_measure_reads_${process.pid}`;
    const store = createPostgresStore({ connectionString: url, schema });
    await store.open();
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    return {
      store,
      table: `"${schema}".jobs`,
      indexName: (name) => `"${schema}".${name}`,
      series: (count) => `generate_series(1, ${count}) AS s(g)`,
      exec: (sql) => admin.query(sql),
      indexes: async () => (await admin.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'jobs' ORDER BY indexname`, [schema])).rows.map((row) => row.indexname),
      analyze: () => admin.query(`VACUUM ANALYZE "${schema}".jobs`),
      close: async () => {
        await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
        await admin.end();
        await store.close();
      },
    };
  }
  if (backend === 'sqlite') {
    const Database = requireFromRoot('better-sqlite3');
    const { SqliteStore } = await import(join(root, 'dist/store/sqlite/store.js'));
    const dir = mkdtempSync(join(tmpdir(), 'chime-measure-reads-'));
    const path = join(dir, 'chime.db');
    // Migrated by a store opened once; the rows then go in through a connection of their own,
    // before the measured store opens.
    const migrated = new SqliteStore({ path });
    await migrated.open();
    await migrated.close();
    const writer = new Database(path);
    const store = new SqliteStore({ path });
    return {
      store,
      table: 'jobs',
      indexName: (name) => name,
      series: (count) => `(WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < ${count}) SELECT g FROM s) AS s`,
      exec: async (sql) => writer.exec(sql),
      indexes: async () => writer.prepare(`SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'jobs' AND sql IS NOT NULL ORDER BY name`).pluck().all(),
      analyze: async () => {
        writer.exec('ANALYZE');
        await store.open();
      },
      close: async () => {
        writer.close();
        await store.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  throw new Error(`backend: postgres or sqlite, not ${backend}`);
}

/**
 * The longest stretch the event loop could not turn while a read ran: a turn is scheduled
 * after each, and the gap between two is the time the thread was held (plus the turn itself).
 */
function watchLoop() {
  let longest = 0;
  let last = performance.now();
  let on = true;
  const turn = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (on) setImmediate(turn);
  };
  setImmediate(turn);
  return {
    stop: () => {
      on = false;
      return Math.max(longest, performance.now() - last);
    },
  };
}

const db = await openBackend();
const { store } = db;
try {
  let written = 0;
  /** Finished jobs, created one ms apart after every job written before them. */
  const insert = async (prefix, count, { target, queue, dialect, failedEvery }) => {
    await db.exec(`INSERT INTO ${db.table} (id, occurrence, run_at, status, target, queue, priority, payload, tags,
        metadata, attempts, created_at, started_at, completed_at, cancel_requested, dialect, task_name, name)
      SELECT '${prefix}' || g, 0, ${T0} + g, CASE WHEN ${failedEvery ? `g % ${failedEvery} = 0` : 'false'} THEN 'failed' ELSE 'completed' END,
        '${target}', '${queue}', 2, '{}', '[]', '{}', 1, ${T0 + written} + g, ${T0 + written} + g + 1, ${T0 + written} + g + 2,
        false, '${dialect}', ${target === 'task' ? "'process_data'" : 'NULL'}, ${dialect === 'envelope' ? `'${prefix}' || g` : 'NULL'}
      FROM ${db.series(count)}`);
    written += count;
  };
  // Oldest first: the tasks and HTTP-target jobs are the newest, as in a store that took on
  // platform work after running Dapr-style jobs for a while (the first pages are then cheap
  // only through an index that skips the Dapr-style jobs).
  if (dapr > 0) await insert('d', dapr, { target: 'callback', queue: '$callbacks', dialect: 'envelope', failedEvery: 100 });
  const v1FailedEvery = Number(process.env.FAILED_EVERY ?? 50) || 0;
  if (tasks > 0) await insert('t', tasks, { target: 'task', queue: 'default', dialect: 'v1', failedEvery: v1FailedEvery });
  if (http > 0) await insert('h', http, { target: 'callback', queue: '$callbacks', dialect: 'v1', failedEvery: v1FailedEvery });
  if (waiting > 0) {
    await db.exec(`INSERT INTO ${db.table} (id, occurrence, run_at, status, target, queue, priority, payload, tags,
        metadata, attempts, created_at, cancel_requested, dialect, name)
      SELECT 'w' || g, ${T0 * 2} + g, ${T0 * 2} + g, 'pending', 'callback', '$callbacks', 2, '{}', '[]', '{}', 0, ${T0}, false, 'envelope', 'w' || g
      FROM ${db.series(waiting)}`);
  }
  if (process.env.DROP_INDEX) await db.exec(`DROP INDEX ${db.indexName(process.env.DROP_INDEX)}`);
  await db.analyze();

  const page = { limit: 50, offset: 0, orderBy: 'created_at', orderDir: 'desc' };
  const reads = {
    'task stats': () => store.jobStats(),
    'dead letters': () => store.listJobs({ target: 'callback', statuses: ['failed', 'timeout'], limit: 25, offset: 0, orderBy: 'completed_at', orderDir: 'desc' }),
    'v1 jobs': () => store.listJobs({ ...page, dialect: 'v1' }),
    'v1 jobs of a queue': () => store.listJobs({ ...page, dialect: 'v1', queue: 'default' }),
    // The platform list's status filter at its hardest: a status few or no v1 jobs have.
    'failed v1 jobs': () => store.listJobs({ ...page, dialect: 'v1', statuses: ['failed'], skipTotal: true }),
    'job counts': () => store.jobCounts(),
    queues: () => store.listQueues(),
  };
  const results = [];
  for (const [name, read] of Object.entries(reads)) {
    const times = [];
    let held = 0;
    for (let i = 0; i < RUNS; i++) {
      const loop = watchLoop();
      const at = performance.now();
      await read();
      const took = performance.now() - at;
      const longest = loop.stop();
      if (i >= WARMUP) {
        times.push(took);
        held = Math.max(held, longest);
      }
    }
    times.sort((a, b) => a - b);
    results.push(`${name} p50 ${times[Math.floor((times.length - 1) / 2)].toFixed(2)} ms (loop held ≤ ${held.toFixed(1)} ms)`);
  }
  console.log(`${backend}, ${dapr} Dapr-style, ${tasks} task, ${http} HTTP-target, ${waiting} waiting jobs: ${results.join('; ')}`);
  console.log(`jobs indexes: ${(await db.indexes()).join(', ')}`);
} finally {
  await db.close();
}

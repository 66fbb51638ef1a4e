#!/usr/bin/env node
/**
 * The PostgreSQL store's job reads that walk many jobs, timed at scale: the task job stats
 * (dashboard overview, queue stats), the dead letters' first page and total, and the
 * platform's jobs list (`GET /api/v1/jobs`) first page and total, with and without a queue
 * filter. Jobs are written straight into a schema of their own (dropped after): `dapr`
 * finished Dapr-style callback jobs (1 in 100 failed: dead letters), `tasks` finished task
 * jobs and `http` finished `/api/v1` jobs with an HTTP target. Each read runs 25 times, the
 * first 5 not counted; prints each one's p50 in ms and the index its plan starts from.
 *
 *   npm run build && node scripts/measure-pg-job-reads.mjs [dapr=1000000] [tasks=10000] [http=0]
 *   DROP_INDEX=jobs_target_created node scripts/measure-pg-job-reads.mjs   without an index, to see what it serves
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-pg-job-reads.mjs    another build
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const pg = createRequire(join(root, 'package.json'))('pg');
const { createPostgresStore } = await import(join(root, 'dist/store/postgres/index.js'));

const url = process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const dapr = Number(process.argv[2] ?? 1_000_000);
const tasks = Number(process.argv[3] ?? 10_000);
const http = Number(process.argv[4] ?? 0);
const RUNS = 25;
const WARMUP = 5;
const T0 = 1_700_000_000_000;

const schema = `chime_measure_reads_${process.pid}`;
const store = createPostgresStore({ connectionString: url, schema });
await store.open();
const admin = new pg.Client({ connectionString: url });
await admin.connect();
try {
  let written = 0;
  /** Finished jobs, created one ms apart after every job written before them. */
  const insert = async (prefix, count, { target, queue, dialect, failedEvery }) => {
    await admin.query(`INSERT INTO "${schema}".jobs (id, occurrence, run_at, status, target, queue, priority, payload, tags,
        metadata, attempts, created_at, started_at, completed_at, cancel_requested, dialect, task_name, name)
      SELECT '${prefix}' || g, 0, ${T0} + g, CASE WHEN g % ${failedEvery} = 0 THEN 'failed' ELSE 'completed' END,
        '${target}', '${queue}', 2, '{}', '[]', '{}', 1, ${T0 + written} + g, ${T0 + written} + g + 1, ${T0 + written} + g + 2,
        false, '${dialect}', ${target === 'task' ? "'process_data'" : 'NULL'}, ${dialect === 'envelope' ? `'${prefix}' || g` : 'NULL'}
      FROM generate_series(1, ${count}) g`);
    written += count;
  };
  // Oldest first: the tasks and HTTP-target jobs are the newest, as in a store that took on
  // platform work after running Dapr-style jobs for a while (the first pages are then cheap
  // only through an index that skips the Dapr-style jobs).
  if (dapr > 0) await insert('d', dapr, { target: 'callback', queue: '$callbacks', dialect: 'envelope', failedEvery: 100 });
  if (tasks > 0) await insert('t', tasks, { target: 'task', queue: 'default', dialect: 'v1', failedEvery: 50 });
  if (http > 0) await insert('h', http, { target: 'callback', queue: '$callbacks', dialect: 'v1', failedEvery: 50 });
  if (process.env.DROP_INDEX) await admin.query(`DROP INDEX "${schema}".${process.env.DROP_INDEX}`);
  await admin.query(`VACUUM ANALYZE "${schema}".jobs`);

  const page = { limit: 50, offset: 0, orderBy: 'created_at', orderDir: 'desc' };
  const reads = {
    'task stats': () => store.jobStats(),
    'dead letters': () => store.listJobs({ target: 'callback', statuses: ['failed', 'timeout'], limit: 25, offset: 0, orderBy: 'completed_at', orderDir: 'desc' }),
    'v1 jobs': () => store.listJobs({ ...page, dialect: 'v1' }),
    'v1 jobs of a queue': () => store.listJobs({ ...page, dialect: 'v1', queue: 'default' }),
  };
  const results = [];
  for (const [name, read] of Object.entries(reads)) {
    const times = [];
    for (let i = 0; i < RUNS; i++) {
      const at = performance.now();
      await read();
      if (i >= WARMUP) times.push(performance.now() - at);
    }
    times.sort((a, b) => a - b);
    results.push(`${name} p50 ${times[Math.floor((times.length - 1) / 2)].toFixed(2)} ms`);
  }
  const indexes = await admin.query(`SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND tablename = 'jobs' ORDER BY indexname`, [schema]);
  console.log(`${dapr} Dapr-style, ${tasks} task, ${http} HTTP-target jobs: ${results.join('; ')}`);
  console.log(`jobs indexes: ${indexes.rows.map((row) => row.indexname).join(', ')}`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  await store.close();
}

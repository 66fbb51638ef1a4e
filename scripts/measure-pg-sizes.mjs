#!/usr/bin/env node
/**
 * What each relation of the PostgreSQL store's `jobs` takes per job: `jobs` future `/api/v1`
 * task jobs (as workload 6 stores them: one a ms apart in due time, ids made at insert, no
 * tags or metadata) inserted through the store 1,000 a call into a schema of their own, then
 * `VACUUM ANALYZE` and `pg_relation_size` of the table and each index, in bytes per job, and
 * the table with its indexes and TOAST. The schema is dropped after (KEEP=1 keeps it, to open
 * it with another build and time a migration).
 *
 *   npm run build && node scripts/measure-pg-sizes.mjs [jobs=200000]
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-pg-sizes.mjs    another build (before/after)
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const url = process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const { createStore } = await import(join(root, 'dist/store/open-store.js'));
const { newId } = await import(join(root, 'dist/core/ids.js'));
const pg = createRequire(join(root, 'package.json'))('pg');
const JOBS = Number(process.argv[2] ?? 200_000);
const BATCH = 1_000;
const DAY_MS = 86_400_000;

const schema = `measure_pg_sizes_${process.pid}`;
const scoped = new URL(url);
scoped.searchParams.set('schema', schema);
const store = await createStore(scoped.toString());
await store.open();
const firstDue = Date.now() + DAY_MS;
for (let i = 0; i < JOBS; i += BATCH) {
  const createdAt = Date.now();
  const jobs = Array.from({ length: Math.min(BATCH, JOBS - i) }, (_, k) => ({
    id: newId(createdAt),
    scheduleId: null,
    name: null,
    occurrence: firstDue + i + k,
    runAt: firstDue + i + k,
    target: 'task',
    queue: 'default',
    taskName: 'noop',
    taskVersion: null,
    priority: 'normal',
    payload: JSON.stringify({ args: [{ index: i + k }], kwargs: {} }),
    failurePolicy: null,
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    createdAt,
    dialect: 'v1',
  }));
  await store.insertJobs(jobs);
}
await store.close();

const client = new pg.Client({ connectionString: url });
await client.connect();
try {
  await client.query(`VACUUM ANALYZE "${schema}".jobs`);
  const { rows } = await client.query(
    `SELECT relname AS name, relkind AS kind, pg_relation_size(oid) AS bytes FROM pg_class
     WHERE oid = $1::regclass OR oid IN (SELECT indexrelid FROM pg_index WHERE indrelid = $1::regclass)
     ORDER BY 3 DESC`,
    [`"${schema}".jobs`],
  );
  const perJob = (bytes) => (Number(bytes) / JOBS).toFixed(1);
  console.log(`postgres, ${JOBS} future v1 task jobs: bytes per job`);
  for (const row of rows) console.log(`  ${row.name.padEnd(24)} ${row.kind === 'r' ? 'table' : 'index'} ${perJob(row.bytes).padStart(8)}`);
  const total = await client.query(`SELECT pg_total_relation_size($1::regclass) AS bytes`, [`"${schema}".jobs`]);
  console.log(`  ${'in all'.padEnd(30)} ${perJob(total.rows[0].bytes).padStart(8)}`);
  if (process.env.KEEP) console.log(`schema kept: ${schema}`);
  else await client.query(`DROP SCHEMA "${schema}" CASCADE`);
} finally {
  await client.end();
}

#!/usr/bin/env node
/**
 * The PostgreSQL store's claim, timed alone: `future` jobs due tomorrow and `due` jobs due
 * now are written straight into a schema of its own (dropped after), then 220 claims of 10
 * task jobs run one after another (the first 20 not counted). Prints the claim's p50/p95/max
 * and each of its statements' p50, in ms. With `due` 0 every claim finds nothing: the cost of
 * the claim itself.
 *
 *   npm run build && node scripts/measure-pg-claim.mjs [future=1000000] [due=2000]
 *   node scripts/measure-pg-claim.mjs 0 0                                   empty claims
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-pg-claim.mjs    another build
 *   CLAIM_SETTINGS="SET LOCAL plan_cache_mode = force_generic_plan" node scripts/measure-pg-claim.mjs
 *     runs that statement first in each claim's transaction (one round trip more), to try a
 *     setting (claims made on their own, outside a transaction, do not run it)
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const pg = createRequire(join(root, 'package.json'))('pg');
const { createPostgresStore } = await import(join(root, 'dist/store/postgres/index.js'));
const { PgDatabase } = await import(join(root, 'dist/store/postgres/context.js'));
const { occurrencePlanner } = await import(join(root, 'dist/store/planners.js'));

const url = process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const future = Number(process.argv[2] ?? 1_000_000);
const due = Number(process.argv[3] ?? 2_000);
const CLAIMS = 220;
const WARMUP = 20;

/** Each statement's durations, by its first words (those of claims made on their own too); and CLAIM_SETTINGS run first, when set. */
const byStatement = new Map();
function timed(query) {
  return async (text, values, options) => {
    const at = performance.now();
    const rows = await query(text, values, options);
    const key = text.trim().slice(0, 24).replace(/\s+/g, ' ');
    if (!byStatement.has(key)) byStatement.set(key, []);
    byStatement.get(key).push(performance.now() - at);
    return rows;
  };
}
const original = PgDatabase.prototype.transactionOnce;
PgDatabase.prototype.transactionOnce = function (fn, ...rest) {
  return original.call(this, async (tx) => {
    if (process.env.CLAIM_SETTINGS) await tx.query(process.env.CLAIM_SETTINGS, [], { prepare: false });
    return fn({ query: timed((...args) => tx.query(...args)) });
  }, ...rest);
};
const originalQuery = PgDatabase.prototype.query;
PgDatabase.prototype.query = function (text, values, options) {
  const query = (...args) => originalQuery.apply(this, args);
  return options?.genericPlans ? timed(query)(text, values, options) : query(text, values, options);
};

const schema = `chime_measure_claim_${process.pid}`;
const store = createPostgresStore({ connectionString: url, schema });
await store.open();
const admin = new pg.Client({ connectionString: url });
await admin.connect();
try {
  const insert = (prefix, count, runAt, priority) =>
    admin.query(`INSERT INTO "${schema}".jobs (id, occurrence, run_at, status, target, queue, priority, payload, tags, metadata,
        attempts, created_at, cancel_requested, dialect, task_name)
      SELECT '${prefix}' || g, 0, ${runAt}, 'pending', 'task', 'default', ${priority}, '{}', '[]', '{}', 0, 1700000000000 + g,
        false, 'v1', 'process_data' FROM generate_series(1, ${count}) g`);
  const now = Date.now();
  if (future > 0) await insert('f', future, `${now + 86_400_000} + g`, 'g % 4');
  if (due > 0) await insert('d', due, now - 1000, 2);
  await admin.query(`ANALYZE "${schema}".jobs`);
  const lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };
  const planNext = occurrencePlanner(5000);
  const times = [];
  let claimed = 0;
  for (let i = 0; i < CLAIMS; i++) {
    if (i === WARMUP) byStatement.clear();
    const at = performance.now();
    claimed += (await store.claimDue({ lane, now: Date.now(), limit: 10, owner: 'measure', leaseMs: 30_000, planNext })).length;
    if (i >= WARMUP) times.push(performance.now() - at);
  }
  const pct = (xs, p) => [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)].toFixed(2);
  const statements = [...byStatement].map(([key, xs]) => `"${key}…" p50 ${pct(xs, 0.5)}`).join('; ');
  console.log(`${future} future, ${due} due, ${claimed} claimed: claim p50 ${pct(times, 0.5)} p95 ${pct(times, 0.95)} max ${pct(times, 1)} ms; ${statements}`);
} finally {
  await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await admin.end();
  await store.close();
}

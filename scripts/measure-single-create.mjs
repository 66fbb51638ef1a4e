#!/usr/bin/env node
/**
 * One `POST /api/v1/jobs` at a time (5 ms apart, as workload 3 adds) against an idle
 * `chime serve` on SQLite (or PostgreSQL) with no worker running: the SDK's round trip per create, and the
 * server's CPU per create. `plain` instead sends the same request to a bare Node HTTP server in
 * its own process that parses the JSON body and answers it (the floor of this machine for
 * one request at a time). With PROFILE, a CPU profile of the Chime server.
 *
 *   node scripts/measure-single-create.mjs [creates=2000] [chime|plain]
 *   SPACING_MS=0 node scripts/measure-single-create.mjs        back to back (default 5 ms apart)
 *   STORE=postgres node scripts/measure-single-create.mjs      on PostgreSQL (CHIME_TEST_POSTGRES_URL or
 *     postgres://postgres@127.0.0.1:5432/test), in a schema of its own, dropped after
 *   PROFILE=/tmp/prof node scripts/measure-single-create.mjs && node dist-bench/profile-shares.js /tmp/prof/<largest>.cpuprofile
 *   CHIME_MEASURE_ROOT=/other/checkout ...    the same against another build (before/after)
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { fork } from 'node:child_process';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const WARMUP = 200;
const SPACING_MS = Number(process.env.SPACING_MS ?? 5);
const creates = Number(process.argv[2] ?? 2_000);
const mode = process.argv[3] ?? 'chime';
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

if (mode === 'plain-server') {
  createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ id: 'plain', ...JSON.parse(body) }));
    });
  }).listen(0, '127.0.0.1', function () {
    process.send(this.address().port);
  });
} else {
  const { ChimeServerProcess } = await import(join(root, 'dist-bench/adapters/chime-server.js'));
  const { JobsClient, createToken, createStore } = await import(join(root, 'dist/index.js'));
  const { Pool } = await import(join(root, 'node_modules/undici/index.js'));

  /** Creates one job after another; returns each round trip in ms (after the warm-up). */
  async function roundTrips(create) {
    const times = [];
    for (let i = 0; i < WARMUP + creates; i++) {
      const started = performance.now();
      await create(i);
      const took = performance.now() - started;
      if (i >= WARMUP) times.push(took);
      if (SPACING_MS > took) await sleep(SPACING_MS - took);
    }
    return times.sort((a, b) => a - b);
  }
  const report = (label, sorted, extra = '') => {
    const rank = (p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2);
    console.log(`${label}: p50 ${rank(0.5)} p95 ${rank(0.95)} p99 ${rank(0.99)} max ${rank(1)} ms${extra}`);
  };

  if (mode === 'plain') {
    const child = fork(fileURLToPath(import.meta.url), [String(creates), 'plain-server']);
    const port = await new Promise((resolve) => child.once('message', resolve));
    const pool = new Pool(`http://127.0.0.1:${port}`, { connections: 128, keepAliveTimeout: 30_000 });
    try {
      const sorted = await roundTrips(async (i) => {
        const response = await pool.request({
          method: 'POST',
          path: '/api/v1/jobs',
          headers: { 'content-type': 'application/json', authorization: 'Bearer plain' },
          body: JSON.stringify({ task_name: 'measure', args: [i] }),
        });
        await response.body.json();
      });
      report('plain Node HTTP round trip', sorted);
    } finally {
      child.kill();
      await pool.close();
    }
  } else {
    const secret = 'measure-single-create-0123456789abcdef';
    const { removeSqliteFiles } = await import(join(root, 'dist-bench/adapters/chime-trial-store.js'));
    const store = process.env.STORE === 'postgres' ? postgresStore() : sqliteStore();
    // A task is registered before jobs can be created for it: a worker does that, once.
    const registration = await createStore(store.spec);
    await registration.open();
    await registration.registerTasks(
      [{ name: 'measure', version: '1.0', description: 'no-op', queue: 'default', timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false }],
      Date.now(),
    );
    await registration.close();

    function sqliteStore() {
      const db = join(tmpdir(), `chime-measure-create-${process.pid}.db`);
      return { spec: `sqlite:${db}`, remove: async () => removeSqliteFiles(db) };
    }
    function postgresStore() {
      const url = new URL(process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test');
      const schema = `chime_measure_create_${process.pid}`;
      const spec = new URL(url);
      spec.searchParams.set('schema', schema);
      return {
        spec: spec.toString(),
        remove: async () => {
          const { default: pg } = await import(join(root, 'node_modules/pg/lib/index.js'));
          const admin = new pg.Client({ connectionString: url.toString() });
          await admin.connect();
          await admin.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await admin.end();
        },
      };
    }
    const nodeArgs = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
    const server = await ChimeServerProcess.start(['--store', store.spec, '--jwt-secret', secret], {}, nodeArgs);
    try {
      const token = await createToken({ secret, scope: 'admin', expiresInSeconds: 3600, subject: 'measure' });
      const client = new JobsClient(server.url, token);
      let cpuBefore = 0;
      const sorted = await roundTrips(async (i) => {
        if (i === WARMUP) cpuBefore = server.cpuSeconds();
        await client.createJob({ task_name: 'measure', args: [i] });
      });
      const cpuMicros = ((server.cpuSeconds() - cpuBefore) * 1e6) / creates;
      report('single create round trip', sorted, `; server CPU ${cpuMicros.toFixed(0)} µs/create`);
    } finally {
      await server.stop();
      await store.remove();
    }
  }
}

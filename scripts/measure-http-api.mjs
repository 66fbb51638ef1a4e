#!/usr/bin/env node
/**
 * Workload 7 (the HTTP API under load) against one `chime serve` on SQLite, outside the harness:
 * the same load generator in its own process and the same requests (Dapr-style create, get,
 * list at concurrency 50), plus the server's CPU per request and, with PROFILE, a CPU profile.
 *
 *   node scripts/measure-http-api.mjs [requests=20000]
 *   OPS=create,get,list node scripts/measure-http-api.mjs 20000
 *   PROFILE=/tmp/prof node scripts/measure-http-api.mjs 20000 && node dist-bench/profile-shares.js /tmp/prof/<largest>.cpuprofile
 *   CHIME_MEASURE_ROOT=/other/checkout ...    the same against another build (before/after)
 *   STORE_QUERY='?thread=on' ...              store options
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { ChimeServerProcess } = await import(join(root, 'dist-bench/adapters/chime-server.js'));
const { runLoadgen } = await import(join(root, 'dist-bench/loadgen-client.js'));
const CONCURRENCY = 50;
const LIST_REQUESTS = 2_000;

const requests = Number(process.argv[2] ?? 20_000);
const db = join(tmpdir(), `chime-measure-http-${process.pid}.db`);
const { removeSqliteFiles } = await import(join(root, 'dist-bench/adapters/chime-trial-store.js'));
const removeDb = () => removeSqliteFiles(db);
const nodeArgs = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
const server = await ChimeServerProcess.start(['--store', `sqlite:${db}${process.env.STORE_QUERY ?? ''}`, '--jwt-secret', 'measure-http-api-0123456789abcdef'], {}, nodeArgs);
const operations = {
  create: { method: 'POST', path: '/v1.0/jobs/bench-{i}', headers: { 'content-type': 'application/json' }, body: '{"dueTime":"24h","data":{"i":{i}}}' },
  get: { method: 'GET', path: '/v1.0/jobs/bench-{i}' },
  list: { method: 'GET', path: '/v1.0/jobs?limit=100' },
};
try {
  for (const name of (process.env.OPS ?? 'create').split(',')) {
    const count = name === 'list' ? LIST_REQUESTS : requests;
    const cpuBefore = server.cpuSeconds();
    const result = await runLoadgen({ ...operations[name], origin: server.url, requests: count, concurrency: CONCURRENCY, timeoutMs: 10_000 });
    const cpuMicros = ((server.cpuSeconds() - cpuBefore) * 1e6) / count;
    console.log(
      `${name}: ${result.requestsPerSec.toFixed(0)} req/s, p50 ${result.latencyMs.p50.toFixed(2)} ms, p99 ${result.latencyMs.p99.toFixed(2)} ms, ` +
        `${result.errors} errors, server CPU ${cpuMicros.toFixed(0)} µs/request`,
    );
  }
} finally {
  await server.stop();
  removeDb();
}

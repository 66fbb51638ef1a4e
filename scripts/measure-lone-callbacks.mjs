#!/usr/bin/env node
/**
 * Lateness of lone callbacks: one job at a time, `spacing` ms apart, as a server whose jobs
 * come now and then delivers them (the benchmark's workloads fire hundreds a second). The
 * receiver is a plain Node server in this process with Node's default keep-alive (5 s), as most
 * apps run: spaced wider than that, every callback finds its connection closed. Beside Chime,
 * the same sends from a bare Node sender (undici Pool, keep-alive), timed as the harness's
 * raw-http-sender (a timeout to within 2 ms of the due time, then setImmediate turns until
 * Date.now() reaches it): the floor of this machine for one send after a quiet spell.
 *
 *   npm run build && node scripts/measure-lone-callbacks.mjs [spacing ms=6000] [jobs=15] [chime|raw|both=both]
 *   KEEP_ALIVE_MS=60000 node scripts/measure-lone-callbacks.mjs 6000   # a receiver that keeps connections a minute
 *
 * Prints, per sender, lateness at the receiver (arrival − scheduled time, ms): p50, max and
 * every job's in order; for Chime also its own fire-lateness histogram's sum and count (the
 * engine's part, before the request).
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECEIVER_PORT = 4996;
const SERVER_PORT = 3997;
/** The first job falls due this long after the jobs are created. */
const FIRST_DUE_AFTER_MS = 2_000;
const [spacingArg = '6000', countArg = '15', which = 'both', childFlag, childStart] = process.argv.slice(2);
const spacingMs = Number(spacingArg);
const count = Number(countArg);
const dueOf = (start, i) => start + i * spacingMs;

if (childFlag === '--raw-sender') {
  const { Pool } = await import('undici');
  const pool = new Pool(`http://127.0.0.1:${RECEIVER_PORT}`, { connections: 10 });
  for (let i = 0; i < count; i++) {
    const due = dueOf(Number(childStart), i);
    await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - Date.now() - 2)));
    while (Date.now() < due) await new Promise((resolve) => setImmediate(resolve));
    const response = await pool.request({
      path: '/api/jobs/trigger',
      method: 'POST',
      headers: { 'content-type': 'application/json', 'chime-scheduled-time': new Date(due).toISOString() },
      body: JSON.stringify({ job_name: `raw${i}`, data: {} }),
    });
    await response.body.text();
  }
  await pool.close();
  process.exit(0);
}

let arrivals = [];
const receiver = http.createServer((request, response) => {
  request.resume();
  request.on('end', () => {
    arrivals.push(performance.timeOrigin + performance.now() - Date.parse(String(request.headers['chime-scheduled-time'])));
    response.end('{}');
  });
});
if (process.env.KEEP_ALIVE_MS) receiver.keepAliveTimeout = Number(process.env.KEEP_ALIVE_MS);
await new Promise((resolve) => receiver.listen(RECEIVER_PORT, '127.0.0.1', resolve));

const summary = (sender, extra = {}) => {
  const sorted = [...arrivals].sort((a, b) => a - b);
  const ms = (value) => Math.round(value * 100) / 100;
  console.log(JSON.stringify({ sender, spacingMs, jobs: count, keepAliveMs: receiver.keepAliveTimeout,
    p50: ms(sorted[Math.floor(sorted.length / 2)]), max: ms(sorted.at(-1)), inOrder: arrivals.map(ms), ...extra }));
};
const waitForArrivals = async () => {
  while (arrivals.length < count) await new Promise((resolve) => setTimeout(resolve, 100));
};

if (which === 'chime' || which === 'both') {
  arrivals = [];
  const dir = mkdtempSync(join(tmpdir(), 'chime-lone-'));
  const base = `http://127.0.0.1:${SERVER_PORT}`;
  const server = spawn(process.execPath, [fileURLToPath(new URL('../bin/chime.js', import.meta.url)), 'serve', '--port', String(SERVER_PORT),
    '--no-grpc', '--no-ui', '--store', `sqlite:${join(dir, 'chime.db')}`, '--data-dir', dir, '--app-url', `http://127.0.0.1:${RECEIVER_PORT}`,
    '--log-level', 'warn'], { stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (let i = 0; i < 300 && !(await fetch(`${base}/readyz`).then((r) => r.ok, () => false)); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const start = Date.now() + FIRST_DUE_AFTER_MS;
    for (let i = 0; i < count; i++) {
      const response = await fetch(`${base}/v1.0/jobs/lone${i}`, { method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ dueTime: new Date(dueOf(start, i)).toISOString(), data: {} }) });
      if (!response.ok) throw new Error(`create lone${i}: ${response.status} ${await response.text()}`);
    }
    await waitForArrivals();
    const metrics = await (await fetch(`${base}/metrics`)).text();
    const fired = (part) => Number(new RegExp(`^chime_fire_lateness_seconds_${part}\\{lane="callback"\\} (\\S+)`, 'm').exec(metrics)?.[1]);
    summary('chime', { engineLatenessSumMs: Math.round(fired('sum') * 1e5) / 100, engineFired: fired('count') });
  } finally {
    server.kill('SIGTERM');
    await new Promise((resolve) => server.once('exit', resolve));
    rmSync(dir, { recursive: true, force: true });
  }
}

if (which === 'raw' || which === 'both') {
  arrivals = [];
  const sender = fork(fileURLToPath(import.meta.url), [spacingArg, countArg, 'raw', '--raw-sender', String(Date.now() + FIRST_DUE_AFTER_MS)]);
  await new Promise((resolve) => sender.once('exit', resolve));
  await waitForArrivals();
  summary('raw-http-sender');
}
receiver.close();
receiver.closeAllConnections();

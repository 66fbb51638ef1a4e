#!/usr/bin/env node
/**
 * Workload 4 on the callback path, split in two, outside the harness: a `chime serve` child on a
 * fresh SQLite file delivers Dapr-style jobs (envelope style) to a receiver in this process.
 * For each callback: lateness (arrival − due), the server's part (the envelope's `actual_time`,
 * stamped as the request is built, − due; whole ms) and the delivery's (arrival − actual_time).
 * Prints percentiles of each, the latest of the first ten jobs (a fresh server's cold code) and
 * the 15 latest jobs.
 *
 *   node scripts/measure-callback-split.mjs [jobs=2000] [spreadMs=10000]
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-callback-split.mjs    another build
 *   CHIME_MEASURE_NODE_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/p" node scripts/measure-callback-split.mjs
 *
 * Run `npm run build` first (in the checkout measured). The first job is due 3 s after the
 * scheduling starts, as in the harness.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const jobs = Number(process.argv[2] ?? 2_000);
const spreadMs = Number(process.argv[3] ?? 10_000);
const LEAD_MS = 3_000;
const IN_FLIGHT = 100;
const now = () => performance.timeOrigin + performance.now();

/** [job index, arrival, actual_time, scheduled_time] per callback. */
const arrivals = [];
const receiver = http.createServer({ keepAliveTimeout: 60_000 }, (req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    const at = now();
    const envelope = JSON.parse(body);
    arrivals.push([envelope.data.i, at, Date.parse(envelope.actual_time), Date.parse(envelope.scheduled_time)]);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"status":"success"}');
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const appUrl = `http://127.0.0.1:${receiver.address().port}`;

const dir = mkdtempSync(join(tmpdir(), 'chime-callback-split-'));
const port = 20_000 + Math.floor(Math.random() * 20_000);
const nodeFlags = (process.env.CHIME_MEASURE_NODE_FLAGS ?? '').split(' ').filter(Boolean);
const server = spawn(
  process.execPath,
  [...nodeFlags, join(root, 'bin/chime.js'), 'serve', '--store', `sqlite://${dir}/chime.db`, '--data-dir', dir, '--port', String(port),
    '--app-url', appUrl, '--callback-style', 'envelope', '--max-concurrent-jobs', '50', '--log-level', 'warn', '--no-ui'],
  { stdio: ['ignore', 'inherit', 'inherit'] },
);
const base = `http://127.0.0.1:${port}`;
const ready = Date.now();
for (;;) {
  try {
    const answer = await request(`${base}/healthz`);
    await answer.body.dump();
    if (answer.statusCode < 300) break;
  } catch {
    // not listening yet
  }
  if (Date.now() - ready > 30_000) throw new Error('the server did not become ready');
  await new Promise((resolve) => setTimeout(resolve, 50));
}

const start = now() + LEAD_MS;
const dueOf = (i) => Math.ceil(start + (i * spreadMs) / jobs);
const agent = new Agent({ connections: IN_FLIGHT });
let next = 0;
const lane = async () => {
  while (next < jobs) {
    const i = next++;
    const answer = await request(`${base}/v1.0/jobs/split-${i}`, {
      method: 'POST',
      dispatcher: agent,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ dueTime: new Date(dueOf(i)).toISOString(), data: { i } }),
    });
    const text = await answer.body.text();
    if (answer.statusCode >= 300) throw new Error(`create answered ${answer.statusCode}: ${text}`);
  }
};
await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
console.log(`scheduled ${jobs} jobs over ${spreadMs} ms; ${Math.round(start - now())} ms before the first is due`);
const deadline = start + spreadMs + 30_000;
while (arrivals.length < jobs && now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
server.kill('SIGTERM');
await new Promise((resolve) => server.once('exit', resolve));
await agent.close();
receiver.closeAllConnections();
receiver.close();
rmSync(dir, { recursive: true, force: true });
if (arrivals.length < jobs) throw new Error(`only ${arrivals.length} of ${jobs} callbacks arrived`);

const rank = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)];
const show = (label, values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const parts = [['p50', 0.5], ['p90', 0.9], ['p99', 0.99], ['max', 1]].map(([name, p]) => `${name} ${rank(sorted, p).toFixed(1)}`);
  console.log(`${label.padEnd(32)} ${parts.join('  ')}  min ${sorted[0].toFixed(1)} ms`);
};
const late = (i, at) => at - dueOf(i);
show('lateness (arrival − due)', arrivals.map(([i, at]) => late(i, at)));
show('server (actual_time − due)', arrivals.map(([i, , actual]) => actual - dueOf(i)));
show('delivery (arrival − actual_time)', arrivals.map(([, at, actual]) => at - actual));
console.log(`early: ${arrivals.filter(([i, at]) => at < dueOf(i)).length}`);
const firstTen = arrivals.filter(([i]) => i < 10).map(([i, at]) => late(i, at));
console.log(`latest of the first ten jobs: ${Math.max(...firstTen).toFixed(1)} ms`);
const latest = arrivals
  .map(([i, at, actual]) => `#${i} ${late(i, at).toFixed(1)} (server ${actual - dueOf(i)}, delivery ${(at - actual).toFixed(1)})`)
  .sort((a, b) => Number(b.split(' ')[1]) - Number(a.split(' ')[1]))
  .slice(0, 15);
console.log(`latest 15, ms: ${latest.join('; ')}`);

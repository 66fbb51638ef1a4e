#!/usr/bin/env node
/**
 * Throughput of a queue with a concurrency limit: `chime serve --tasks` with an instant task in
 * queue `limited`, the queue's limit set through the API, N jobs bulk-inserted while it is
 * paused, then resumed; jobs/s until the queue reports none waiting or running (polled every
 * 50 ms). A place in a limited queue frees only when the job's outcome is written, so this is
 * what any delay in writing outcomes costs.
 *
 *   npm run build && node scripts/measure-queue-limit.mjs [jobs=3000] [concurrency=1]
 */
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
const [count = '3000', limit = '1'] = process.argv.slice(2);
const dir = mkdtempSync(join(tmpdir(), 'qlim-'));
writeFileSync(join(dir, 'tasks.mjs'), `export const noop = { name: 'noop', queue: 'limited', async handler() { return 1; } };`);
const port = 3996;
const base = `http://127.0.0.1:${port}`;
const bin = fileURLToPath(new URL('../bin/chime.js', import.meta.url));
const server = spawn(process.execPath, [bin, 'serve', '--port', String(port), '--no-grpc', '--store', `sqlite:${join(dir, 'c.db')}`, '--data-dir', dir, '--tasks', join(dir, 'tasks.mjs'), '--log-level', 'warn', '--no-ui'], { stdio: 'inherit' });
for (let i = 0; i < 300; i++) { if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break; await new Promise((r) => setTimeout(r, 100)); }
const token = execFileSync(process.execPath, [bin, 'token', '--data-dir', dir], { encoding: 'utf8' }).trim();
const h = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
let r = await fetch(`${base}/api/v1/queues/limited`, { method: 'PUT', headers: h, body: JSON.stringify({ concurrency: Number(limit) }) });
if (r.status !== 204) throw new Error(`queue: ${r.status} ${await r.text()}`);
r = await fetch(`${base}/api/v1/queues/limited/pause`, { method: 'POST', headers: h });
if (!r.ok) throw new Error(`pause: ${r.status} ${await r.text()}`);
const jobs = Array.from({ length: Number(count) }, () => ({ task_name: 'noop', queue_name: 'limited' }));
r = await fetch(`${base}/api/v1/jobs/bulk`, { method: 'POST', headers: h, body: JSON.stringify({ jobs }) });
if (!r.ok) throw new Error(`bulk: ${r.status} ${await r.text()}`);
const t0 = performance.now();
await fetch(`${base}/api/v1/queues/limited/resume`, { method: 'POST', headers: h });
for (;;) {
  await new Promise((r) => setTimeout(r, 50));
  const q = await (await fetch(`${base}/api/v1/queues`, { headers: h })).json();
  const lim = q.items.find((i) => i.name === 'limited');
  if (lim && lim.size === 0 && lim.running === 0) break;
}
const s = (performance.now() - t0) / 1000;
console.log(JSON.stringify({ jobs: Number(count), concurrency: Number(limit), seconds: Math.round(s * 100) / 100, jobsPerSec: Math.round(Number(count) / s) }));
server.kill('SIGTERM');
await new Promise((r) => server.once('exit', r));
rmSync(dir, { recursive: true, force: true });

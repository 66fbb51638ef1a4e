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
for (let i = 0; i < 300; i++) {
  if (await fetch(`${base}/readyz`).then((response) => response.ok, () => false)) break;
  await new Promise((resolve) => setTimeout(resolve, 100));
}
try {
  const token = execFileSync(process.execPath, [bin, 'token', '--data-dir', dir], { encoding: 'utf8' }).trim();
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  const call = async (method, path, body) => {
    const response = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
    return response.status === 204 ? null : response.json();
  };
  await call('PUT', '/api/v1/queues/limited', { concurrency: Number(limit) });
  await call('POST', '/api/v1/queues/limited/pause');
  await call('POST', '/api/v1/jobs/bulk', { jobs: Array.from({ length: Number(count) }, () => ({ task_name: 'noop', queue_name: 'limited' })) });
  const startedAt = performance.now();
  await call('POST', '/api/v1/queues/limited/resume');
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 50));
    const queue = (await call('GET', '/api/v1/queues')).items.find((item) => item.name === 'limited');
    if (queue && queue.size === 0 && queue.running === 0) break;
  }
  const seconds = (performance.now() - startedAt) / 1000;
  console.log(JSON.stringify({ jobs: Number(count), concurrency: Number(limit), seconds: Math.round(seconds * 100) / 100, jobsPerSec: Math.round(Number(count) / seconds) }));
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.once('exit', resolve));
}
rmSync(dir, { recursive: true, force: true });

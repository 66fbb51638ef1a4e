#!/usr/bin/env node
/**
 * How long `chime serve` takes from spawn to a 200 from /healthz, on a new SQLite file (so its
 * migrations run), then how long its first and second Dapr-style creates take (`POST
 * /v1.0/jobs/{name}`, the first request to validate a body) and its first job list (`GET
 * /api/v1/jobs?limit=50&count=false`, as the dashboard asks, with a token), then SIGTERM.
 * With a second checkout, the two are alternated run by run, so that a machine whose speed
 * drifts (as this one's does within minutes) moves both alike: the way to see a change of a
 * few percent in start-up.
 *
 *   npm run build && node scripts/measure-start.mjs [runs=12] [other checkout, built]
 *   node scripts/measure-start.mjs 12 /tmp/old     # e.g. a `git worktree` of the commit before
 *
 * Prints each checkout's medians and every run, in ms.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('..', import.meta.url));
const runs = Number(process.argv[2] ?? 12);
const checkouts = [here, ...(process.argv[3] ? [process.argv[3]] : [])];
const JWT_SECRET = 'measure-start-0123456789abcdef0123456789';

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

async function startOnce(root) {
  const dir = mkdtempSync(join(tmpdir(), 'chime-start-'));
  const [port, grpcPort] = [await freePort(), await freePort()];
  const started = performance.now();
  const child = spawn(
    process.execPath,
    [join(root, 'bin/chime.js'), 'serve', '--port', String(port), '--grpc-port', String(grpcPort), '--store', `sqlite:${join(dir, 'chime.db')}`, '--jwt-secret', JWT_SECRET],
    { stdio: 'ignore' },
  );
  const { createToken } = await import(join(root, 'dist/index.js'));
  const token = await createToken({ secret: JWT_SECRET, scope: 'read', expiresInSeconds: 600, subject: 'measure-start' });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`chime serve in ${root} exited with ${child.exitCode}`);
      try {
        if ((await fetch(`http://127.0.0.1:${port}/healthz`)).ok) break;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
    const ready = performance.now() - started;
    const firstCreate = await timedCreate(port, 'first');
    const secondCreate = await timedCreate(port, 'second');
    return { ready, firstCreate, secondCreate, firstJobList: await timedJobList(port, token) };
  } finally {
    child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

async function timedCreate(port, name) {
  const sent = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/v1.0/jobs/${name}`, { method: 'POST', body: JSON.stringify({ dueTime: '1h', data: { n: 1 } }) });
  if (!response.ok) throw new Error(`create ${name}: ${response.status} ${await response.text()}`);
  return performance.now() - sent;
}

async function timedJobList(port, token) {
  const sent = performance.now();
  const response = await fetch(`http://127.0.0.1:${port}/api/v1/jobs?limit=50&count=false`, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`job list: ${response.status} ${await response.text()}`);
  await response.text();
  return performance.now() - sent;
}

const times = new Map(checkouts.map((root) => [root, []]));
for (let i = 0; i < runs; i++) {
  // Each checkout goes first every other run.
  for (const root of i % 2 ? [...checkouts].reverse() : checkouts) times.get(root).push(await startOnce(root));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
for (const [root, runsOf] of times) {
  for (const what of ['ready', 'firstCreate', 'secondCreate', 'firstJobList']) {
    const values = runsOf.map((run) => run[what]);
    console.log(`${root} ${what}: median ${median(values).toFixed(1)} ms; runs ${values.map((v) => v.toFixed(1)).join(' ')}`);
  }
}

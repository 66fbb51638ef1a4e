#!/usr/bin/env node
/**
 * Server RSS and restart-to-ready with a large backlog of future jobs, outside the benchmark
 * harness (the same steps as bench workload 6 on SQLite, one server, no peers).
 *
 *   node scripts/measure-backlog.mjs fill <db> [jobs=1000000]   insert, settle, RSS, restarts
 *   node scripts/measure-backlog.mjs restart <db> [times=5]     restarts on an existing file
 *
 * Run `npm run build` first. Extra node flags for the server (--cpu-prof, --heap-prof) go in
 * CHIME_MEASURE_NODE_FLAGS. Numbers depend on machine load: note `uptime` beside them.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

const BIN = process.env.CHIME_MEASURE_BIN ?? fileURLToPath(new URL('../bin/chime.js', import.meta.url));
const SECRET = 'measure-backlog-secret-0123456789abcdef';
const TASK = 'backlog_noop';
const BATCH = 1_000;
const DAY_MS = 24 * 3600 * 1000;
const FIRST_DUE_MS = 10 * 60 * 1000;
const SETTLE_MS = 3_000;

const [mode, dbPath, countArg] = process.argv.slice(2);
if (!mode || !dbPath) {
  console.error('usage: measure-backlog.mjs fill|restart <db> [n]');
  process.exit(2);
}
const port = await freePort();
const url = `http://127.0.0.1:${port}`;
const nodeFlags = (process.env.CHIME_MEASURE_NODE_FLAGS ?? '').split(' ').filter(Boolean);

function startServer() {
  const spawnedAt = performance.now();
  const child = spawn(process.execPath, [...nodeFlags, BIN, 'serve', '--store', `sqlite:${dbPath}`, '--port', String(port), '--no-grpc', '--jwt-secret', SECRET, '--log-level', 'warn'], {
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return { child, spawnedAt };
}

async function waitReady(server) {
  for (;;) {
    const ok = await fetch(`${url}/readyz`).then((r) => r.status === 204, () => false);
    if (ok) {
      server.readyCpuMs = cpuMs(server.child.pid);
      return performance.now() - server.spawnedAt;
    }
    if (server.child.exitCode !== null) throw new Error('server exited');
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

async function stop(server) {
  const started = performance.now();
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  return performance.now() - started;
}

/** CPU time (user + system, all threads) the process has used, ms: less load-dependent than wall time. */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

function rssMiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)[1]) / 1024;
}

async function token() {
  const { createToken } = await import('../dist/index.js');
  return createToken({ secret: SECRET, scope: 'admin', expiresInSeconds: 3600, subject: 'measure' });
}

async function registerTask() {
  const { createStore } = await import('../dist/index.js');
  const store = await createStore(`sqlite:${dbPath}`);
  await store.open();
  await store.registerTasks([{ name: TASK, version: '1.0', description: 'no-op', queue: 'backlog', timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false }], Date.now());
  await store.close();
}

async function fill(count) {
  await registerTask();
  const server = startServer();
  console.log(`start (empty) → ready ${(await waitReady(server)).toFixed(0)} ms, RSS ${rssMiB(server.child.pid).toFixed(1)} MiB`);
  const auth = { authorization: `Bearer ${await token()}`, 'content-type': 'application/json' };
  const firstDue = Date.now() + FIRST_DUE_MS;
  const spacing = (DAY_MS - FIRST_DUE_MS) / count;
  const started = performance.now();
  for (let start = 0; start < count; start += BATCH) {
    const jobs = [];
    for (let i = start; i < Math.min(count, start + BATCH); i++) {
      jobs.push({ task_name: TASK, args: [i], scheduled_at: new Date(firstDue + i * spacing).toISOString() });
    }
    const response = await fetch(`${url}/api/v1/jobs/bulk`, { method: 'POST', headers: auth, body: JSON.stringify({ jobs }) });
    if (!response.ok) throw new Error(`bulk ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
  }
  const seconds = (performance.now() - started) / 1000;
  console.log(`inserted ${count} in ${seconds.toFixed(1)} s (${(count / seconds).toFixed(0)}/s), RSS ${rssMiB(server.child.pid).toFixed(1)} MiB`);
  await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
  const m = await (await fetch(`${url}/metrics`, { headers: auth })).text(); console.log(m.split("\n").filter(l => /^(nodejs_heap_size|nodejs_external|process_resident|nodejs_heap_space_size_used_bytes|nodejs_heap_space_size_total)/.test(l)).join("\n")); console.log(`after ${SETTLE_MS} ms settle: RSS ${rssMiB(server.child.pid).toFixed(1)} MiB`);
  const stopMs = await stop(server);
  console.log(`stop ${stopMs.toFixed(0)} ms`);
}

async function restarts(times) {
  const ready = [];
  const rss = [];
  const stops = [];
  const cpu = [];
  for (let i = 0; i < times; i++) {
    const server = startServer();
    ready.push(await waitReady(server));
    cpu.push(server.readyCpuMs);
    await new Promise((resolve) => setTimeout(resolve, SETTLE_MS));
    rss.push(rssMiB(server.child.pid));
    stops.push(await stop(server));
  }
  const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`spawn→ready ms: ${ready.map((x) => x.toFixed(0)).join(' ')} (median ${median(ready).toFixed(0)})`);
  console.log(`CPU used until ready, ms: ${cpu.join(' ')} (median ${median(cpu)})`);
  console.log(`RSS after restart + ${SETTLE_MS} ms, MiB: ${rss.map((x) => x.toFixed(1)).join(' ')} (median ${median(rss).toFixed(1)})`);
  console.log(`SIGTERM→exit ms: ${stops.map((x) => x.toFixed(0)).join(' ')} (median ${median(stops).toFixed(0)})`);
  console.log(`load: ${readFileSync('/proc/loadavg', 'utf8').trim()}`);
}

if (mode === 'fill') await fill(Number(countArg ?? 1_000_000));
else if (mode === 'restart') await restarts(Number(countArg ?? 5));
else throw new Error(`unknown mode ${mode}`);

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port: free } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return free;
}

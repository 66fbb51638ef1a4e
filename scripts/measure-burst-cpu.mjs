#!/usr/bin/env node
/**
 * The server's CPU per delivered callback in a burst: a cost measure that machine noise
 * moves far less than throughput (the harness's one-run burst figures varied by ±25% between
 * identical runs on 2026-12-02). Starts `chime serve` on a fresh SQLite file with the flags
 * given, a plain keep-alive receiver in a child process, creates N Dapr-style jobs due at one
 * instant, and reads the server's utime+stime (all its threads) from /proc from just before
 * the instant until the receiver has them all.
 *
 *   npm run build && node scripts/measure-burst-cpu.mjs 20000 [serve flags...]
 *   TARGET=http://localhost:4999/api/jobs/trigger node scripts/measure-burst-cpu.mjs 20000 --allow-target localhost --target-concurrency 50
 *   PROFILE=burst.cpuprofile node scripts/measure-burst-cpu.mjs 20000   # also a CPU profile of the burst alone
 *   SPREAD_MS=30000 node scripts/measure-burst-cpu.mjs 60000   # due times spread evenly over 30 s: 2,000 jobs/s sustained
 *   WARMUP=10000 SPREAD_MS=30000 ...   # first 10,000 more at the same rate, ending 1 s before: a server that has run a while
 *   WARMUP_GAP_MS=80000 LEAD_MS=120000 ...   # the warm-up ending 80 s before instead: a server that fired, then idled
 *   SERVER_NODE_FLAGS='--trace-gc' ...  # node flags for the server (its stdout is shown then)
 *   STORE_QUERY=thread=on ...           # options of the SQLite store spec (here: the store on its own thread)
 *   IDLE_AFTER_MS=90000 ...             # then the server idles that long: its memory after the busy spell and after the quiet
 *
 * Besides lateness, CPU, disk and store calls per job, it reports the server's event-loop delay
 * and its GC pauses (count and total by kind) over the measured window, from the server's own
 * /metrics (prom-client's default metrics): the creates before the window are not in them.
 *
 * With PROFILE set, the server runs with the inspector on and the profiler is started just
 * before the due instant and stopped when the receiver has every job, so the creates are not in
 * it. `node dist-bench/profile-shares.js <file>` (after `tsc -p bench/tsconfig.json`) reads the file.
 */
import { fork, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const RECEIVER_PORT = 4999;

if (process.argv[2] === '--receiver') {
  let n = 0;
  let first = 0;
  let last = 0;
  /** Arrival minus the job's scheduled time (the chime-scheduled-time header), ms. */
  const lateness = [];
  /** The worst lateness of each second since the first arrival: when the late ones came. */
  const worstPerSecond = [];
  const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
  const server = http.createServer((req, res) => {
    if (req.url === '/__count') return void res.end(JSON.stringify({ n }));
    if (req.url === '/__stats') {
      // Asked once, at the end: sorting every arrival's lateness while jobs still arrive would
      // stall this receiver (tens of ms at 60,000) and show up as lateness.
      const sorted = [...lateness].sort((a, b) => a - b);
      const late = sorted.length === 0 ? null : { p50: percentile(sorted, 50), p99: percentile(sorted, 99), max: sorted.at(-1), early: sorted.filter((ms) => ms < 0).length, worstPerSecond };
      return void res.end(JSON.stringify({ n, first, last, late }));
    }
    req.resume();
    // Warm-up jobs (named w…) are delivered and answered, not counted.
    if (String(req.headers['chime-job-name']).startsWith('w')) return void req.on('end', () => res.end('{}'));
    req.on('end', () => {
      const at = performance.timeOrigin + performance.now();
      const scheduled = Date.parse(String(req.headers['chime-scheduled-time']));
      if (n === 0) first = at;
      if (Number.isFinite(scheduled)) {
        const late = Math.round((at - scheduled) * 10) / 10;
        lateness.push(late);
        const second = Math.floor((at - first) / 1000);
        worstPerSecond[second] = Math.max(worstPerSecond[second] ?? Number.NEGATIVE_INFINITY, late);
      }
      last = at;
      n++;
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{}');
    });
  });
  server.keepAliveTimeout = 60_000;
  server.listen(RECEIVER_PORT, '127.0.0.1', () => process.send?.('ready'));
} else {
  const [count = '20000', ...flags] = process.argv.slice(2);
  const jobs = Number(count);
  const port = 3999;
  const base = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'chime-burst-cpu-'));
  const receiver = fork(fileURLToPath(import.meta.url), ['--receiver']);
  await new Promise((resolve) => receiver.once('message', resolve));
  const bin = fileURLToPath(new URL('../bin/chime.js', import.meta.url));
  const INSPECTOR_PORT = 9239;
  // SERVER_NODE_FLAGS='--trace-gc': the server's own node flags; its stdout is shown then.
  const extraFlags = process.env.SERVER_NODE_FLAGS?.split(' ').filter(Boolean) ?? [];
  const nodeArgs = [...(process.env.PROFILE ? [`--inspect=127.0.0.1:${INSPECTOR_PORT}`] : []), ...extraFlags];
  const server = spawn(process.execPath, [...nodeArgs, bin, 'serve', '--port', String(port), '--no-grpc', '--store', `sqlite:${join(dir, 'chime.db')}${process.env.STORE_QUERY ? `?${process.env.STORE_QUERY}` : ''}`,
    '--data-dir', dir, '--app-url', `http://127.0.0.1:${RECEIVER_PORT}`, '--max-concurrent-jobs', '50', '--log-level', 'warn', ...flags], { stdio: ['ignore', extraFlags.length > 0 ? 'inherit' : 'ignore', 'inherit'] });
  for (let i = 0; i < 300; i++) {
    if (await fetch(`${base}/readyz`).then((r) => r.ok, () => false)) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const due = Date.now() + Number(process.env.LEAD_MS ?? 10_000 + jobs);
  const spreadMs = Number(process.env.SPREAD_MS ?? 0);
  const dueOf = (i) => due + Math.floor((i * spreadMs) / jobs);
  const warmup = Number(process.env.WARMUP ?? 0);
  // WARMUP_GAP_MS: from the warm-up's last due time to the window's first (idle between).
  const warmupGapMs = Number(process.env.WARMUP_GAP_MS ?? 1000);
  const warmupDueOf = (i) => due - warmupGapMs - Math.floor(((warmup - i) * spreadMs) / jobs);
  const target = process.env.TARGET ? { target: { url: process.env.TARGET } } : {};
  /** Creates jobs `${prefix}0` … `${prefix}${count - 1}`, 100 requests in flight. */
  const createAll = async (prefix, count, dueAt) => {
    let next = 0;
    const createNext = async () => {
      while (next < count) {
        const i = next++;
        const response = await fetch(`${base}/v1.0/jobs/${prefix}${i}`, { method: 'POST', headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ dueTime: new Date(dueAt(i)).toISOString(), data: { i }, ...target }) });
        if (!response.ok) throw new Error(`create ${prefix}${i}: ${response.status} ${await response.text()}`);
        await response.arrayBuffer();
      }
    };
    await Promise.all(Array.from({ length: 100 }, createNext));
  };
  await createAll('w', warmup, warmupDueOf);
  const stop = () => {
    server.kill('SIGTERM');
    receiver.kill();
  };
  await createAll('j', jobs, dueOf).catch((error) => {
    stop();
    throw error;
  });
  if (Date.now() > due - 500) {
    stop();
    throw new Error('the creates overran the lead; set LEAD_MS higher');
  }
  const cpuSeconds = () => {
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime + stime, clock ticks of 10 ms
  };
  // Bytes the server (WAL appends and checkpoints) sent to the disk.
  const writtenBytes = () => Number(/^write_bytes: (\d+)/m.exec(readFileSync(`/proc/${server.pid}/io`, 'utf8'))[1]);
  // Built by `tsc -p bench/tsconfig.json` (npm run bench builds it too).
  const profiler = process.env.PROFILE
    ? await (await import('../dist-bench/server-profiler.js')).connectProfiler(`http://127.0.0.1:${INSPECTOR_PORT}`)
    : undefined;
  while (Date.now() < due - 200) await new Promise((resolve) => setTimeout(resolve, 20));
  // A scrape resets the server's event-loop delay histogram (prom-client) and marks its GC
  // totals, so the figures after the run cover the measured window only.
  const gcBefore = gcTotals(await (await fetch(`${base}/metrics`)).text());
  await profiler?.start();
  const cpuBefore = cpuSeconds();
  const writtenBefore = writtenBytes();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    if ((await (await fetch(`http://127.0.0.1:${RECEIVER_PORT}/__count`)).json()).n >= jobs) break;
  }
  const stats = await (await fetch(`http://127.0.0.1:${RECEIVER_PORT}/__stats`)).json();
  const cpu = cpuSeconds() - cpuBefore;
  const written = writtenBytes() - writtenBefore;
  if (profiler) {
    writeFileSync(process.env.PROFILE, JSON.stringify(await profiler.stop()));
  }
  // Store calls per job, from the server's own histogram counts: transactions per job is
  // what batching changes.
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const storeCalls = Object.fromEntries([...metrics.matchAll(/^chime_store_operation_seconds_count\{operation="([^"]+)"\} (\d+)/gm)]
    .map(([, operation, count]) => [operation, Math.round((Number(count) / jobs) * 1000) / 1000]));
  if (process.env.DUMP_LATENESS) console.log(metrics.split('\n').filter((line) => line.startsWith('chime_fire_lateness_seconds_bucket') || /chime_store_operation_seconds_bucket\{le="(0.01|0.025|0.1|\+Inf)"/.test(line)).join('\n'));
  // The server's event-loop delay over the window: prom-client samples it every 10 ms, and a
  // sample is the whole interval, so an idle loop reads about 10 ms; the max is the longest block.
  const loop = (name) => Math.round(Number(new RegExp(`^nodejs_eventloop_lag_${name}_seconds (\\S+)`, 'm').exec(metrics)?.[1]) * 1e4) / 10;
  const gcAfter = gcTotals(metrics);
  const gc = Object.fromEntries(Object.entries(gcAfter).map(([kind, after]) => [kind, {
    count: after.count - (gcBefore[kind]?.count ?? 0),
    ms: Math.round((after.seconds - (gcBefore[kind]?.seconds ?? 0)) * 1e4) / 10,
  }]));
  const seconds = (stats.last - stats.first) / 1000;
  // IDLE_AFTER_MS: what the server holds right after the window and after that long a quiet
  // spell (V8's memory reducer gives memory back in the quiet; --no-memory-reducer keeps it).
  const idleAfterMs = Number(process.env.IDLE_AFTER_MS ?? 0);
  const memory = idleAfterMs > 0 ? { busy: memoryOf(server.pid, metrics) } : undefined;
  if (memory) {
    await new Promise((resolve) => setTimeout(resolve, idleAfterMs));
    memory[`after ${idleAfterMs} ms idle`] = memoryOf(server.pid, await (await fetch(`${base}/metrics`)).text());
  }
  console.log(JSON.stringify({ flags: flags.join(' '), nodeFlags: extraFlags.join(' '), target: process.env.TARGET ?? null, jobs, spreadMs, cpuUsPerJob: Math.round((cpu * 1e6) / jobs), diskKiBPerJob: Math.round((written / 1024 / jobs) * 10) / 10, jobsPerSec: Math.round(jobs / seconds), lateMs: stats.late, storeCallsPerJob: storeCalls,
    serverLoopDelayMs: { p50: loop('p50'), p99: loop('p99'), max: loop('max') }, serverGc: gc, ...(memory ? { memoryMiB: memory } : {}) }));
  stop();
  await new Promise((resolve) => server.once('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}

/** The server's RSS (from /proc), its V8 heap and young generation committed (from its /metrics), MiB. */
function memoryOf(pid, metrics) {
  const mib = (bytes) => Math.round((Number(bytes) / 1048576) * 10) / 10;
  const rss = /^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1] * 1024;
  const metric = (pattern) => new RegExp(`^${pattern} (\\S+)`, 'm').exec(metrics)?.[1];
  return { rss: mib(rss), heapTotal: mib(metric('nodejs_heap_size_total_bytes')), newSpace: mib(metric('nodejs_heap_space_size_total_bytes\\{space="new"\\}')) };
}

/** GC counts and seconds by kind (minor, major, incremental, weakcb) from prom-client's histogram. */
function gcTotals(metrics) {
  const totals = {};
  for (const [, part, kind, value] of metrics.matchAll(/^nodejs_gc_duration_seconds_(sum|count)\{kind="([^"]+)"\} (\S+)/gm)) {
    totals[kind] ??= { count: 0, seconds: 0 };
    if (part === 'sum') totals[kind].seconds = Number(value);
    else totals[kind].count = Number(value);
  }
  return totals;
}

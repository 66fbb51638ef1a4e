#!/usr/bin/env node
/**
 * A store server's CPU per task job, the part of workload 2 (process) that PostgreSQL or
 * Redis spends: a job claimed in a batch, then its outcome written in a batch, as a worker
 * does at c=50. The figure is the CPU time every `postgres` (or `redis-server`) process of
 * this machine used during the claims and outcomes (from /proc, so the server must run here,
 * and nothing else should use it meanwhile), divided by the jobs; and this process's own.
 * Throughput in the bench moves ±10% between runs on a busy 2-core box, and so does CPU per
 * job: compare medians of several alternated runs (docs/benchmarks.md used six pairs).
 *
 *   npm run build && node scripts/measure-job-cost.mjs postgres [jobs=50000] [batch=200]
 *   node scripts/measure-job-cost.mjs redis [jobs] [batch]
 *   node scripts/measure-job-cost.mjs postgres --dapr       Dapr-style callback jobs instead of task jobs
 *     (dialect envelope, on the callback lane; each outcome writes a history entry, as a callback's does)
 *   node scripts/measure-job-cost.mjs redis --callgrind [jobs=5000] [batch]
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test, in a schema
 * of its own, dropped after. Redis: CHIME_TEST_REDIS_URL or redis://127.0.0.1:6379, under a
 * key prefix of its own, deleted after.
 *
 * `--callgrind` (Redis): a private redis-server of its own, on a free port, runs under
 * `valgrind --tool=callgrind`, whose counters are zeroed before the claims and dumped after
 * them; the figure is the instructions it executed per job, which machine noise does not move
 * (a Lua change worth 3% shows). About 25 s for 5,000 jobs. `--keep` keeps the callgrind output
 * and prints its path, for `callgrind_annotate <file>` (instructions by function). The inserts
 * before the claims are counted apart (1,000 jobs a call, as a bulk create).
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { unlinkPrefix } from './redis-prefix.mjs';

const dist = new URL('../dist/', import.meta.url);
const args = process.argv.slice(2);
const callgrind = args.includes('--callgrind');
/** Callback jobs of the Dapr-style API (dialect `envelope`) on the callback lane, their outcomes with a history entry. */
const dapr = args.includes('--dapr');
const keep = args.includes('--keep');
const [backend = 'postgres', jobsArg = callgrind ? '5000' : '50000', batchArg = '200'] = args.filter((a) => !a.startsWith('--'));
const JOBS = Number(jobsArg);
const BATCH = Number(batchArg);
const SERVERS = {
  postgres: { process: 'postgres', url: process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test', scope: 'schema' },
  redis: { process: 'redis-server', url: process.env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', scope: 'prefix' },
};
const server = SERVERS[backend];
if (!server) throw new Error(`backend: postgres or redis, not ${backend}`);
if (callgrind && backend !== 'redis') throw new Error('--callgrind runs a private redis-server: redis only');
const OWNER = 'measure-worker';
const TICK_MS = 10; // USER_HZ is 100 on Linux

/** CPU ms used so far by every process of the server's name (live ones: one that exits takes its share with it). */
function serverCpuMs() {
  let ticks = 0;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (!name.startsWith(server.process)) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks += Number(fields[11]) + Number(fields[12]); // utime, stime
    } catch {
      // the process ended while we read
    }
  }
  return ticks * TICK_MS;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}

/** A redis-server under callgrind; `zero()` and `dump()` bracket what is counted. */
async function startCallgrindRedis() {
  const dir = mkdtempSync(join(tmpdir(), 'chime-job-cost-'));
  const port = await freePort();
  const child = spawn('valgrind', ['--tool=callgrind', `--callgrind-out-file=${dir}/callgrind.out`, 'redis-server', '--port', String(port),
    '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir], { stdio: 'ignore' });
  const { Redis } = await import('ioredis');
  for (let tries = 0; ; tries++) {
    const probe = new Redis({ port, lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // not up yet: tried again below
    const up = await probe.connect().then(() => probe.ping()).then(() => true, () => false);
    probe.disconnect();
    if (up) break;
    if (tries > 300) throw new Error('redis-server under valgrind did not start');
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  const control = (flag) => execFileSync('callgrind_control', [flag, String(child.pid)], { stdio: 'ignore' });
  return {
    url: `redis://127.0.0.1:${port}`,
    zero: () => control('-z'),
    /** Dumps the counters and returns the instructions counted since zero(). */
    dump() {
      control('-d');
      const file = readdirSync(dir).filter((f) => f.startsWith('callgrind.out.')).sort().at(-1);
      if (keep) console.log(`callgrind output kept: ${join(dir, file)}`);
      const totals = /^(?:summary|totals): (\d+)/m.exec(readFileSync(join(dir, file), 'utf8'));
      return Number(totals[1]);
    },
    stop() {
      child.kill('SIGKILL');
      if (!keep) rmSync(dir, { recursive: true, force: true });
    },
  };
}

const counted = callgrind ? await startCallgrindRedis() : null;
const serverUrl = counted?.url ?? server.url;
const { createStore } = await import(new URL('store/open-store.js', dist).href);
const scope = `measure_job_cost_${process.pid}`;
const url = new URL(serverUrl);
url.searchParams.set(server.scope, scope);
const store = await createStore(url.toString());
await store.open();
try {
  const now0 = Date.now();
  const jobs = Array.from({ length: JOBS }, (_, i) => ({
    id: `job-${String(i).padStart(9, '0')}`,
    scheduleId: null,
    name: null,
    occurrence: now0 - 1000,
    runAt: now0 - 1000,
    target: dapr ? 'callback' : 'task',
    queue: dapr ? '$callbacks' : 'default',
    taskName: dapr ? null : 'noop',
    taskVersion: null,
    priority: 'normal',
    payload: '{"args":[],"kwargs":{}}',
    failurePolicy: null,
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    createdAt: now0 - 2000,
    dialect: dapr ? 'envelope' : 'v1',
  }));
  counted?.zero();
  for (let i = 0; i < JOBS; i += 1000) await store.insertJobs(jobs.slice(i, i + 1000));
  const insertInstructions = counted ? counted.dump() : 0;
  const lane = dapr ? { target: 'callback' } : { target: 'task', queues: ['default'], tasks: ['noop'] };
  const planNext = () => ({ deliver: true, next: null });
  if (backend === 'postgres') await checkpoint();
  counted?.zero();
  const serverBefore = serverCpuMs();
  const nodeBefore = process.cpuUsage();
  const startedAt = performance.now();
  let done = 0;
  let claimMs = 0;
  let outcomeMs = 0;
  while (done < JOBS) {
    const now = Date.now();
    let at = performance.now();
    const claimed = await store.claimDue({ lane, now, limit: BATCH, owner: OWNER, leaseMs: 600_000, planNext });
    claimMs += performance.now() - at;
    if (claimed.length === 0) throw new Error(`nothing left to claim after ${done} jobs`);
    at = performance.now();
    const finishedAt = Date.now();
    const attempt = dapr ? { outcome: 'succeeded', firedAt: now, durationMs: 1, httpStatus: 200, error: null } : undefined;
    await store.recordOutcomes(claimed.map((job) => ({ jobId: job.id, owner: OWNER, status: 'completed', finishedAt, startedAt: now, attempt })));
    outcomeMs += performance.now() - at;
    done += claimed.length;
  }
  const perJob = (ms) => ((ms * 1000) / JOBS).toFixed(1);
  if (counted) {
    console.log(
      `redis under callgrind, ${JOBS} jobs, batch ${BATCH}: ${Math.round(counted.dump() / JOBS)} instructions/job in redis-server ` +
        `(claim and outcome; the insert, 1,000 a call: ${Math.round(insertInstructions / JOBS)})`,
    );
  } else {
    const wallMs = performance.now() - startedAt;
    const serverMs = serverCpuMs() - serverBefore;
    const node = process.cpuUsage(nodeBefore);
    console.log(
      `${backend}${dapr ? ' (Dapr-style callback jobs)' : ''}, ${JOBS} jobs, batch ${BATCH}: server CPU ${perJob(serverMs)} µs/job, this process ${perJob((node.user + node.system) / 1000)} µs/job, ` +
        `${Math.round(JOBS / (wallMs / 1000))} jobs/s claimed and completed (wall µs/job: claims ${perJob(claimMs)}, outcomes ${perJob(outcomeMs)})`,
    );
  }
} finally {
  await store.close();
  if (counted) counted.stop();
  else await dropScope();
}

/**
 * Writes out the dirty pages of the inserts (and of earlier runs) before the measured part: a
 * checkpoint that fell inside it counted into the server's CPU, and the same build then read
 * 36 or 60 µs/job from one run to the next (2026-12-05). Needs a superuser, as `postgres` is here.
 */
async function checkpoint() {
  const { default: pg } = await import('pg');
  const client = new pg.Client(server.url);
  await client.connect();
  try {
    await client.query('CHECKPOINT');
  } finally {
    await client.end();
  }
}

async function dropScope() {
  if (backend === 'postgres') {
    const { default: pg } = await import('pg');
    const client = new pg.Client(server.url);
    await client.connect();
    await client.query(`DROP SCHEMA IF EXISTS ${scope} CASCADE`);
    await client.end();
    return;
  }
  const { Redis } = await import('ioredis');
  const redis = new Redis(server.url);
  await unlinkPrefix(redis, scope);
  await redis.quit();
}

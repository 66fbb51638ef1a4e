#!/usr/bin/env node
/**
 * A store server's CPU per task job, the part of workload 2 (process) that PostgreSQL or
 * Redis spends: a job claimed in a batch, then its outcome written in a batch, as a worker
 * does at c=50. The figure is the CPU time every `postgres` (or `redis-server`) process of
 * this machine used during the claims and outcomes (from /proc, so the server must run here,
 * and nothing else should use it meanwhile), divided by the jobs; and this process's own.
 * Throughput in the bench moves ±10% between runs on a busy 2-core box; CPU per job moves
 * less, so changes worth 5% show over alternated runs.
 *
 *   npm run build && node scripts/measure-job-cost.mjs postgres [jobs=50000] [batch=200]
 *   node scripts/measure-job-cost.mjs redis [jobs] [batch]
 *
 * PostgreSQL: CHIME_TEST_POSTGRES_URL or postgres://postgres@127.0.0.1:5432/test, in a schema
 * of its own, dropped after. Redis: CHIME_TEST_REDIS_URL or redis://127.0.0.1:6379, under a
 * key prefix of its own, deleted after.
 */
import { readdirSync, readFileSync } from 'node:fs';

const dist = new URL('../dist/', import.meta.url);
const [backend = 'postgres', jobsArg = '50000', batchArg = '200'] = process.argv.slice(2);
const JOBS = Number(jobsArg);
const BATCH = Number(batchArg);
const SERVERS = {
  postgres: { process: 'postgres', url: process.env.CHIME_TEST_POSTGRES_URL ?? 'postgres://postgres@127.0.0.1:5432/test', scope: 'schema' },
  redis: { process: 'redis-server', url: process.env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', scope: 'prefix' },
};
const server = SERVERS[backend];
if (!server) throw new Error(`backend: postgres or redis, not ${backend}`);
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

const { createStore } = await import(new URL('store/open-store.js', dist).href);
const scope = `measure_job_cost_${process.pid}`;
const url = new URL(server.url);
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
    target: 'task',
    queue: 'default',
    taskName: 'noop',
    taskVersion: null,
    priority: 'normal',
    payload: '{"args":[],"kwargs":{}}',
    failurePolicy: null,
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    createdAt: now0 - 2000,
    dialect: 'v1',
  }));
  for (let i = 0; i < JOBS; i += 1000) await store.insertJobs(jobs.slice(i, i + 1000));
  const lane = { target: 'task', queues: ['default'], tasks: ['noop'] };
  const planNext = () => ({ deliver: true, next: null });
  const serverBefore = serverCpuMs();
  const nodeBefore = process.cpuUsage();
  const startedAt = performance.now();
  let done = 0;
  let claimMs = 0;
  let outcomeMs = 0;
  while (done < JOBS) {
    const now = Date.now();
    let at = performance.now();
    const claimed = await store.claimDue({ lane, now, limit: BATCH, owner: OWNER, leaseMs: 60_000, planNext });
    claimMs += performance.now() - at;
    if (claimed.length === 0) throw new Error(`nothing left to claim after ${done} jobs`);
    at = performance.now();
    await store.recordOutcomes(claimed.map((job) => ({ jobId: job.id, owner: OWNER, status: 'completed', finishedAt: Date.now(), startedAt: now })));
    outcomeMs += performance.now() - at;
    done += claimed.length;
  }
  const wallMs = performance.now() - startedAt;
  const serverMs = serverCpuMs() - serverBefore;
  const node = process.cpuUsage(nodeBefore);
  const perJob = (ms) => ((ms * 1000) / JOBS).toFixed(1);
  console.log(
    `${backend}, ${JOBS} jobs, batch ${BATCH}: server CPU ${perJob(serverMs)} µs/job, this process ${perJob((node.user + node.system) / 1000)} µs/job, ` +
      `${Math.round(JOBS / (wallMs / 1000))} jobs/s claimed and completed (wall µs/job: claims ${perJob(claimMs)}, outcomes ${perJob(outcomeMs)})`,
  );
} finally {
  await store.close();
  await dropScope();
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
  for (let cursor = '0'; ; ) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${scope}:*`, 'COUNT', 1000);
    if (keys.length > 0) await redis.unlink(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  await redis.quit();
}

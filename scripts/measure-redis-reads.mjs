#!/usr/bin/env node
/**
 * The Redis store's job reads that walk many jobs, beside `jobs` v1 task jobs (queue `default`,
 * pending, due in 2030): the task job stats, the platform list's first page with its total, a
 * queue's page with and without its total, the failed jobs' page, the job counts and the queue list;
 * with `dead` > 0 also that many dead letters (Dapr-style callback jobs claimed and failed, one in
 * ten timed out, through the store) and the dead-letter list's first page with its total. Each
 * read runs 7 times; prints its p50 and the longest a PING from another connection waited
 * meanwhile (runs 3 to 7): how long the read held the Redis server, and with it every other
 * client, the claims of every node among them. A PING refused with BUSY (a script ran past
 * Redis's `lua-time-limit`) counts as held for as long as it kept being refused.
 *
 *   npm run build && node scripts/measure-redis-reads.mjs [jobs=1000000] [dead=0]
 *
 * Redis: CHIME_TEST_REDIS_URL or redis://127.0.0.1:6379, under a key prefix of its own, deleted
 * after. Inserting 1,000,000 jobs takes about a minute.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unlinkPrefix } from './redis-prefix.mjs';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { Redis } = createRequire(join(root, 'package.json'))('ioredis');
const { createRedisStore } = await import(join(root, 'dist/store/redis/index.js'));
const { occurrencePlanner } = await import(join(root, 'dist/store/planners.js'));
const { DEAD_LETTER_STATUSES } = await import(join(root, 'dist/core/types.js'));
const url = process.env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const jobs = Number(process.argv[2] ?? 1_000_000);
const dead = Number(process.argv[3] ?? 0);
const RUNS = 7;
const WARMUP = 2;
const BATCH = 2_000;
const T = Date.UTC(2030, 0, 1);
const prefix = `chime-measure-reads-${process.pid}`;

// Piped into `head`, stdout closes early: go on, so the jobs below are still deleted.
process.stdout.on('error', (error) => {
  if (error.code !== 'EPIPE') throw error;
});

const store = createRedisStore({ url, prefix, useStoreClock: false });
const pinger = new Redis(url, { maxRetriesPerRequest: 0 });

/** The longest a PING waited while `read` ran, BUSY replies included. */
async function heldWhile(read) {
  let on = true;
  let longest = 0;
  const probe = (async () => {
    let since = performance.now();
    while (on) {
      try {
        await pinger.ping();
        longest = Math.max(longest, performance.now() - since);
        since = performance.now();
      } catch (error) {
        if (!String(error).includes('BUSY')) throw error;
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
    }
  })();
  const at = performance.now();
  await read();
  const took = performance.now() - at;
  on = false;
  await probe;
  return { took, held: longest };
}

const task = (i) => ({
  id: `t${i}`,
  scheduleId: null,
  name: null,
  occurrence: T + i,
  runAt: T + i,
  target: 'task',
  queue: 'default',
  taskName: 'process_data',
  taskVersion: '1.0',
  priority: 'normal',
  payload: '{}',
  failurePolicy: null,
  timeoutMs: null,
  tags: [],
  metadata: '{}',
  delivery: null,
  createdAt: T,
  dialect: 'v1',
});

/** A one-shot Dapr-style callback job, due at T + i. */
const callback = (i) => ({
  ...task(i),
  id: `c${i}`,
  target: 'callback',
  queue: '$callbacks',
  taskName: null,
  taskVersion: null,
  payload: '{"i":1}',
  failurePolicy: { kind: 'drop' },
  dialect: 'envelope',
});

/** `count` callback jobs claimed and ended failed (every tenth timed out): dead letters. */
async function deadLetters(count) {
  const planNext = occurrencePlanner(60_000);
  for (let i = 0; i < count; i += BATCH) {
    const size = Math.min(BATCH, count - i);
    await store.insertJobs(Array.from({ length: size }, (_, k) => callback(i + k)));
    const claimed = await store.claimDue({ lane: { target: 'callback' }, now: T + i + size, limit: size, owner: 'measure', leaseMs: 60_000, planNext });
    await store.recordOutcomes(
      claimed.map((job, k) => ({
        jobId: job.id,
        owner: 'measure',
        status: k % 10 === 0 ? 'timeout' : 'failed',
        finishedAt: T + i + k,
        error: { message: 'HTTP 500', type: 'HttpError', traceback: null },
        attempt: { outcome: 'failed', firedAt: T + i + k, durationMs: 1, httpStatus: 500, error: 'HTTP 500' },
      })),
    );
  }
}

await store.open();
try {
  const started = performance.now();
  for (let i = 0; i < jobs; i += BATCH) await store.insertJobs(Array.from({ length: Math.min(BATCH, jobs - i) }, (_, k) => task(i + k)));
  console.log(`redis, ${jobs} pending v1 task jobs (inserted in ${((performance.now() - started) / 1000).toFixed(1)} s)`);
  if (dead > 0) {
    const at = performance.now();
    await deadLetters(dead);
    console.log(`and ${dead} dead letters (made in ${((performance.now() - at) / 1000).toFixed(1)} s)`);
  }
  const page = { limit: 50, offset: 0, orderBy: 'created_at', orderDir: 'desc' };
  const reads = {
    'task stats': () => store.jobStats(),
    'v1 jobs': () => store.listJobs({ ...page, dialect: 'v1' }),
    'v1 jobs of a queue': () => store.listJobs({ ...page, dialect: 'v1', queue: 'default' }),
    'v1 jobs of a queue, no total': () => store.listJobs({ ...page, dialect: 'v1', queue: 'default', skipTotal: true }),
    'failed v1 jobs': () => store.listJobs({ ...page, dialect: 'v1', statuses: ['failed'], skipTotal: true }),
    'job counts': () => store.jobCounts(),
    queues: () => store.listQueues(),
  };
  if (dead > 0) {
    reads['dead letters'] = () => store.listJobs({ ...page, target: 'callback', statuses: [...DEAD_LETTER_STATUSES], orderBy: 'completed_at' });
  }
  for (const [name, read] of Object.entries(reads)) {
    const times = [];
    let held = 0;
    for (let i = 0; i < RUNS; i++) {
      const run = await heldWhile(read);
      if (i >= WARMUP) {
        times.push(run.took);
        held = Math.max(held, run.held);
      }
    }
    times.sort((a, b) => a - b);
    console.log(`${name}: p50 ${times[Math.floor((times.length - 1) / 2)].toFixed(2)} ms (Redis held ≤ ${held.toFixed(1)} ms)`);
  }
} finally {
  await unlinkPrefix(pinger, prefix);
  pinger.disconnect();
  await store.close();
}

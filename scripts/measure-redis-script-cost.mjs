#!/usr/bin/env node
/**
 * Redis's own CPU per job in the two scripts a drain runs, driven through the store with no
 * worker: `jobs` immediate task jobs inserted, then claimed 200 at a time until none is left,
 * then completed 250 outcomes at a time. Prints redis-server's CPU (INFO cpu, user + sys) per
 * job for the claims and for the outcomes, and each phase's wall time. The number of the
 * server's own work a change to claim-due.lua or record-outcomes.lua moves, without the
 * worker's CPU and the machine's scheduling in the way.
 *
 *   npm run build && node scripts/measure-redis-script-cost.mjs [jobs=20000]
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-redis-script-cost.mjs   another build
 *
 * Redis: CHIME_TEST_REDIS_URL or redis://127.0.0.1:6379, under a key prefix of its own,
 * deleted after. Nothing else should use that Redis meanwhile: its CPU is the server's total.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { unlinkPrefix } from './redis-prefix.mjs';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { Redis } = createRequire(join(root, 'package.json'))('ioredis');
const { createRedisStore } = await import(join(root, 'dist/store/redis/index.js'));
const { occurrencePlanner } = await import(join(root, 'dist/store/planners.js'));
const url = process.env.CHIME_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';
const jobs = Number(process.argv[2] ?? 20_000);
const CLAIM = 200;
const OUTCOMES = 250;

const prefix = `chime-measure-script-cost-${process.pid}`;
const store = createRedisStore({ url, prefix });
const admin = new Redis(url);
/** redis-server's CPU so far (user + sys), in seconds. */
async function redisCpuSeconds() {
  const info = await admin.info('cpu');
  return Number(/used_cpu_user:([\d.]+)/.exec(info)[1]) + Number(/used_cpu_sys:([\d.]+)/.exec(info)[1]);
}
/** Redis's CPU per job (µs) and the wall time (ms) of `phase`. */
async function measured(phase) {
  const cpuBefore = await redisCpuSeconds();
  const startedAt = performance.now();
  await phase();
  const wallMs = performance.now() - startedAt;
  return { redisMicrosPerJob: Number((((await redisCpuSeconds()) - cpuBefore) * 1e6 / jobs).toFixed(1)), wallMs: Math.round(wallMs) };
}

try {
  await store.open();
  const now = Date.now();
  await store.registerTasks(
    [{ name: 'measure', version: '1.0', description: '', queue: 'default', timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false }],
    now,
  );
  const job = (i) => ({
    id: `00000000-0000-7000-8000-${String(i).padStart(12, '0')}`,
    scheduleId: null,
    name: null,
    occurrence: now - 1000,
    runAt: now - 1000,
    target: 'task',
    queue: 'default',
    taskName: 'measure',
    taskVersion: '1.0',
    priority: 'normal',
    payload: '{"args":[1],"kwargs":{}}',
    failurePolicy: { kind: 'constant', intervalMs: 1000, maxRetries: 0 },
    timeoutMs: null,
    tags: [],
    metadata: '{}',
    delivery: null,
    createdAt: now - 2000,
    dialect: 'v1',
  });
  for (let i = 0; i < jobs; i += 1000) await store.insertJobs(Array.from({ length: Math.min(1000, jobs - i) }, (_, k) => job(i + k)));
  const lane = { target: 'task', queues: ['default'], tasks: ['measure'] };
  const planNext = occurrencePlanner(5000);
  const claimed = [];
  const claims = await measured(async () => {
    for (;;) {
      const batch = await store.claimDue({ lane, now, limit: CLAIM, owner: 'measure', leaseMs: 60_000, planNext });
      if (batch.length === 0) break;
      claimed.push(...batch);
    }
  });
  if (claimed.length !== jobs) throw new Error(`claimed ${claimed.length} of ${jobs}`);
  const outcomes = await measured(async () => {
    for (let i = 0; i < claimed.length; i += OUTCOMES) {
      const batch = claimed.slice(i, i + OUTCOMES);
      await store.recordOutcomes(batch.map((j) => ({ jobId: j.id, owner: 'measure', status: 'completed', finishedAt: now, startedAt: now, result: '{"ok":1}' })));
    }
  });
  console.log(JSON.stringify({ jobs, claims, outcomes }));
} finally {
  await unlinkPrefix(admin, prefix);
  await admin.quit();
  await store.close();
}

#!/usr/bin/env node
/**
 * Workload 3 (add → handler-start) split in two, outside the harness: for each immediate job,
 * the SDK's add round trip, then the wait from the add's answer until the worker started it.
 * Same system as the harness's (server process, worker in this process on its own store),
 * 100 warm-up jobs, then 1,000 jobs at least 5 ms apart. Prints percentiles of each part and a
 * histogram (whole ms) of the second part: a tail there is the worker hearing late of the job;
 * then the worker's claims in the same span (each store call, found jobs or not), which the
 * second part waits on.
 *
 *   node scripts/measure-add-latency.mjs [system=chime-sqlite]     (chime-postgres, chime-redis, ...)
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-add-latency.mjs    another build
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { createSystems } = await import(join(root, 'dist-bench/adapters/index.js'));
const { readServiceConfig } = await import(join(root, 'dist-bench/services.js'));
const WARMUP = 100;
const SAMPLES = 1_000;
const SPACING_MS = 5;

const name = process.argv[2] ?? 'chime-sqlite';
const system = createSystems(readServiceConfig()).find((s) => s.name === name);
if (!system) throw new Error(`no system ${name}`);
const now = () => performance.timeOrigin + performance.now();
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

await system.setUp();
const trial = await system.openTrial();
const startedAt = new Float64Array(WARMUP + SAMPLES);
try {
  await trial.startWorker((index) => (startedAt[index] = now()), { concurrency: 50 });
  for (let i = 0; i < WARMUP; i++) {
    await trial.add({ index: i });
    while (!startedAt[i]) await sleep(1);
  }
  const addedAt = new Float64Array(WARMUP + SAMPLES);
  const answeredAt = new Float64Array(WARMUP + SAMPLES);
  const claimsBefore = trial.claimTimesMs().length;
  for (let i = WARMUP; i < WARMUP + SAMPLES; i++) {
    addedAt[i] = now();
    await trial.add({ index: i });
    answeredAt[i] = now();
    const wait = addedAt[i] + SPACING_MS - now();
    if (wait > 0) await sleep(wait);
  }
  await trial.waitForCompletions(WARMUP + SAMPLES, AbortSignal.timeout(60_000));
  const part = (from, to) => Array.from({ length: SAMPLES }, (_, k) => to[WARMUP + k] - from[WARMUP + k]).sort((a, b) => a - b);
  const rank = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)].toFixed(2);
  const parts = { 'add round trip': part(addedAt, answeredAt), 'answer → start': part(answeredAt, startedAt), 'add → start': part(addedAt, startedAt) };
  for (const [label, sorted] of Object.entries(parts)) {
    console.log(`${label}: p50 ${rank(sorted, 0.5)} p95 ${rank(sorted, 0.95)} p99 ${rank(sorted, 0.99)} max ${rank(sorted, 1)} ms`);
  }
  const histogram = {};
  for (const ms of parts['answer → start']) {
    const bucket = ms < 0 ? 'before the answer' : `${Math.floor(ms)} ms`;
    histogram[bucket] = (histogram[bucket] ?? 0) + 1;
  }
  console.log('answer → start, jobs per whole ms:', JSON.stringify(histogram));
  const claims = trial.claimTimesMs().slice(claimsBefore).sort((a, b) => a - b);
  console.log(`worker's claims: ${claims.length}, p50 ${rank(claims, 0.5)} p95 ${rank(claims, 0.95)} p99 ${rank(claims, 0.99)} max ${rank(claims, 1)} ms`);
} finally {
  await trial.close();
  await system.tearDown();
}

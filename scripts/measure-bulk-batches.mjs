#!/usr/bin/env node
/**
 * Workload 1's bulk half, batch by batch, outside the harness: a fresh trial of a system (for
 * Chime a new `chime serve`, as each harness trial starts one), then `batches` bulk adds of
 * 1,000 immediate jobs, one after another; prints how long each took (ms). Shows how much of a
 * short bulk measurement is a fresh server's first requests rather than its steady rate.
 *
 *   node scripts/measure-bulk-batches.mjs [system=chime-sqlite] [batches=60]
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-bulk-batches.mjs    another build
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { createSystems } = await import(join(root, 'dist-bench/adapters/index.js'));
const { readServiceConfig } = await import(join(root, 'dist-bench/services.js'));
const BATCH = 1_000;

const name = process.argv[2] ?? 'chime-sqlite';
const batches = Number(process.argv[3] ?? 60);
const system = createSystems(readServiceConfig()).find((s) => s.name === name);
if (!system) throw new Error(`no system ${name}`);

await system.setUp();
const trial = await system.openTrial();
try {
  const times = [];
  for (let batch = 0; batch < batches; batch++) {
    const jobs = Array.from({ length: BATCH }, (_, k) => ({ index: batch * BATCH + k }));
    const startedAt = performance.now();
    await trial.addBulk(jobs);
    times.push(performance.now() - startedAt);
  }
  const sum = (from, to) => times.slice(from, to).reduce((a, b) => a + b, 0);
  console.log(`ms per batch of ${BATCH}: ${times.map((ms) => ms.toFixed(1)).join(' ')}`);
  const first = Math.min(20, batches);
  console.log(`first ${first} batches: ${Math.round((first * BATCH) / (sum(0, first) / 1000))} jobs/s`);
  if (batches > 20) console.log(`batches 21–${batches}: ${Math.round(((batches - 20) * BATCH) / (sum(20, batches) / 1000))} jobs/s`);
} finally {
  await trial.close();
  await system.tearDown();
}

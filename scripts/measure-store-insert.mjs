#!/usr/bin/env node
/**
 * The SQLite store's CPU per job of a batch insert (`insertJobs`, what `POST /api/v1/jobs/bulk`
 * and workload 6's import call), in this process, without HTTP: `/api/v1` task jobs built as the
 * bulk route builds them, 50 batches to warm up, then 300,000 jobs in batches of `size`. Prints
 * this process's CPU (user + sys) per job; the checkpointer and scan threads are idle.
 *
 *   npm run build && npx tsc -p bench/tsconfig.json && node scripts/measure-store-insert.mjs [size=1000]
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-store-insert.mjs 1000    another build
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { removeSqliteFiles } = await import(join(root, 'dist-bench/adapters/chime-trial-store.js'));
const { createStore } = await import(join(root, 'dist/index.js'));
const { buildTaskJob } = await import(join(root, 'dist/services/platform-job-spec.js'));
const MEASURED_JOBS = 300_000;
const WARM_UP_BATCHES = 50;

const size = Number(process.argv[2] ?? 1000);
const path = join(tmpdir(), `chime-measure-store-insert-${process.pid}.db`);
const task = { name: 'measure', version: '1.0', description: '', queue: 'default', timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false };
let next = 0;
const batch = () => {
  const now = Date.now();
  return Array.from({ length: size }, () => buildTaskJob({ taskName: task.name, args: [next++], kwargs: {}, priority: 'normal', tags: [], metadata: {} }, task, now));
};

const store = await createStore(`sqlite:${path}`);
try {
  await store.open();
  await store.registerTasks([task], Date.now());
  for (let i = 0; i < WARM_UP_BATCHES; i++) await store.insertJobs(batch());
  const batches = Array.from({ length: Math.round(MEASURED_JOBS / size) }, batch);
  const before = process.cpuUsage();
  for (const jobs of batches) await store.insertJobs(jobs);
  const used = process.cpuUsage(before);
  console.log(`${((used.user + used.system) / (batches.length * size)).toFixed(2)} µs of CPU per job, batches of ${size}`);
} finally {
  await store.close();
  removeSqliteFiles(path);
}

#!/usr/bin/env node
/**
 * Bulk creates at their steady rate, with the server's CPU per job: one `chime serve` on a new
 * SQLite file, 30 batches of 1,000 `/api/v1` task jobs through the SDK's `createJobs` (`POST
 * /api/v1/jobs/bulk`) to warm up, then `batches` more, timed. Prints jobs/s and the CPU per job
 * of the server and of this process (the client). scripts/measure-bulk-batches.mjs shows a fresh
 * server's first batches; this shows what each job costs once warm, which machine noise moves
 * less than the rate.
 *
 *   npm run build && node scripts/measure-bulk-server.mjs [batches=800]
 *   PROFILE=/tmp/prof node scripts/measure-bulk-server.mjs 300       the server's CPU profile, in that folder
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-bulk-server.mjs    another build
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { removeSqliteFiles } = await import(join(root, 'dist-bench/adapters/chime-trial-store.js'));
const { ChimeServerProcess } = await import(join(root, 'dist-bench/adapters/chime-server.js'));
const chime = await import(join(root, 'dist/index.js'));
const BATCH = 1_000;
const WARM_UP_BATCHES = 30;
const SECRET = 'measure-bulk-server-0123456789abcdef';

const batches = Number(process.argv[2] ?? 800);
const db = join(tmpdir(), `chime-measure-bulk-server-${process.pid}.db`);
const task = { name: 'measure', version: '1.0', description: '', queue: 'default', timeoutMs: 60_000, maxRetries: 0, retryDelayMs: 0, isAsync: false };
// The task must be registered before jobs can be created for it: a worker does that.
const registration = await chime.createStore(`sqlite:${db}`);
await registration.open();
await registration.registerTasks([task], Date.now());
await registration.close();

const nodeArgs = process.env.PROFILE ? ['--cpu-prof', `--cpu-prof-dir=${process.env.PROFILE}`] : [];
const server = await ChimeServerProcess.start(['--store', `sqlite:${db}`, '--jwt-secret', SECRET], {}, nodeArgs);
try {
  const token = await chime.createToken({ secret: SECRET, scope: 'admin', expiresInSeconds: 3600, subject: 'measure' });
  const client = new chime.JobsClient(server.url, token);
  let next = 0;
  const batch = () => Array.from({ length: BATCH }, () => ({ task_name: task.name, args: [next++] }));
  for (let i = 0; i < WARM_UP_BATCHES; i++) await client.createJobs(batch());
  const serverBefore = server.cpuSeconds();
  const clientBefore = process.cpuUsage();
  const startedAt = performance.now();
  for (let i = 0; i < batches; i++) await client.createJobs(batch());
  const seconds = (performance.now() - startedAt) / 1000;
  const jobs = batches * BATCH;
  const clientUsed = process.cpuUsage(clientBefore);
  console.log(
    `${Math.round(jobs / seconds)} jobs/s; server CPU ${(((server.cpuSeconds() - serverBefore) * 1e6) / jobs).toFixed(2)} µs/job, ` +
      `client ${((clientUsed.user + clientUsed.system) / jobs).toFixed(2)} µs/job`,
  );
} finally {
  await server.stop();
  removeSqliteFiles(db);
}

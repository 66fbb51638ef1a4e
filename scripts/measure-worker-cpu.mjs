#!/usr/bin/env node
/**
 * Workload 2 (process a pre-filled queue) once, outside the harness, with the CPU each side
 * used: 20,000 jobs bulk-inserted through the server, then the worker (in this process,
 * through the library, as the harness runs it) drains them at the given concurrency. Prints
 * jobs/s, this process's CPU (the worker's), the server's, and the rest of the machine's busy
 * time in the drain (on PostgreSQL or Redis mostly the store's server), in seconds. The worker
 * is a busy side here, so its CPU for the same jobs is steadier than the rate on a noisy machine.
 *
 *   node scripts/measure-worker-cpu.mjs [concurrency=50] [system=chime-sqlite]   (chime-postgres, chime-redis, ...)
 *   node scripts/measure-worker-cpu.mjs 50 graphile-worker     a peer the same way (its server CPU is 0: it has none)
 *   PROFILE=/tmp/worker.cpuprofile node scripts/measure-worker-cpu.mjs           the worker's CPU profile too
 *   HEAP_PROFILE=/tmp/worker.heapprofile node scripts/measure-worker-cpu.mjs     where the worker allocates:
 *     a sampling heap profile that keeps what young and old collections freed (DevTools'
 *     "Allocation sampling", read with `node scripts/heap-profile-sites.mjs <file>`)
 *   CHIME_MEASURE_ROOT=/other/checkout node scripts/measure-worker-cpu.mjs      another build (before/after)
 *   BEFORE_DRAIN="redis-cli config resetstat" AFTER_DRAIN="redis-cli info commandstats" node scripts/measure-worker-cpu.mjs 50 chime-redis
 *     shell commands run just before and just after the drain (after the inserts), their output
 *     printed: the store's own counters of the drain alone
 *   STOP_SERVER=1 node scripts/measure-worker-cpu.mjs     the server stopped (SIGSTOP) through the drain:
 *     the worker alone on the file, without the server's reaction to its commits
 *
 * Run `npm run build` and `npx tsc -p bench/tsconfig.json` first (in the checkout measured).
 */
import { execFileSync, execSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = process.env.CHIME_MEASURE_ROOT ?? fileURLToPath(new URL('..', import.meta.url));
const { createSystems } = await import(join(root, 'dist-bench/adapters/index.js'));
const { readServiceConfig } = await import(join(root, 'dist-bench/services.js'));
const JOBS = 20_000;
const BULK = 1_000;
const CLOCK_TICKS_PER_SECOND = 100;

const concurrency = Number(process.argv[2] ?? 50);
const name = process.argv[3] ?? 'chime-sqlite';
const system = createSystems(readServiceConfig()).find((s) => s.name === name);
if (!system) throw new Error(`no system ${name}`);

/** Busy CPU of the whole machine (user, nice, system, irq, softirq), from /proc/stat, in seconds. */
function machineCpuSeconds() {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  return (fields[0] + fields[1] + fields[2] + fields[5] + fields[6]) / CLOCK_TICKS_PER_SECOND;
}

/** User + system CPU of a process, from /proc, in seconds. */
function cpuSecondsOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

await system.setUp();
const trial = await system.openTrial();
/** The server's pid while STOP_SERVER holds it stopped: it is let go before the trial closes. */
let stoppedServer;
try {
  for (let i = 0; i < JOBS; i += BULK) await trial.addBulk(Array.from({ length: BULK }, (_, k) => ({ index: i + k })));
  await new Promise((resolve) => setTimeout(resolve, 2_000)); // the server's insert work settles
  // The trial's `chime serve` is this process's child; a peer (BullMQ, graphile-worker, ...)
  // has no server of its own: its CPU is the worker's and the store's.
  const serverPid = system.kind === 'chime' ? execFileSync('pgrep', ['-P', String(process.pid), '-f', 'chime.js serve']).toString().trim().split('\n')[0] : null;
  // One inspector session for both profilers, when either is asked for.
  let inspector;
  if (process.env.PROFILE || process.env.HEAP_PROFILE) {
    const { Session } = await import('node:inspector/promises');
    inspector = new Session();
    inspector.connect();
  }
  if (process.env.PROFILE) {
    await inspector.post('Profiler.enable');
    await inspector.post('Profiler.start');
  }
  if (process.env.HEAP_PROFILE) {
    await inspector.post('HeapProfiler.enable');
    await inspector.post('HeapProfiler.startSampling', {
      samplingInterval: 4096,
      includeObjectsCollectedByMajorGC: true,
      includeObjectsCollectedByMinorGC: true,
    });
  }
  if (process.env.STOP_SERVER && serverPid) {
    process.kill(Number(serverPid), 'SIGSTOP');
    stoppedServer = Number(serverPid);
  }
  if (process.env.BEFORE_DRAIN) process.stdout.write(execSync(process.env.BEFORE_DRAIN));
  const serverBefore = serverPid ? cpuSecondsOf(serverPid) : 0;
  const machineBefore = machineCpuSeconds();
  const workerBefore = process.cpuUsage();
  const startedAt = performance.now();
  await trial.startWorker(() => {}, { concurrency });
  await trial.waitForCompletions(JOBS, AbortSignal.timeout(120_000));
  const seconds = (performance.now() - startedAt) / 1000;
  const worker = process.cpuUsage(workerBefore);
  const serverSeconds = serverPid ? cpuSecondsOf(serverPid) - serverBefore : 0;
  const machineSeconds = machineCpuSeconds() - machineBefore;
  if (process.env.AFTER_DRAIN) process.stdout.write(execSync(process.env.AFTER_DRAIN));
  if (process.env.PROFILE) {
    const { profile } = await inspector.post('Profiler.stop');
    writeFileSync(process.env.PROFILE, JSON.stringify(profile));
  }
  if (process.env.HEAP_PROFILE) {
    const { profile } = await inspector.post('HeapProfiler.stopSampling');
    writeFileSync(process.env.HEAP_PROFILE, JSON.stringify(profile));
  }
  inspector?.disconnect();
  console.log(JSON.stringify({
    system: name,
    concurrency,
    jobsPerSecond: Math.round(JOBS / seconds),
    workerCpuSeconds: Number(((worker.user + worker.system) / 1e6).toFixed(2)),
    serverCpuSeconds: Number(serverSeconds.toFixed(2)),
    // The rest of the machine's busy time in the drain: mostly the store's server (PostgreSQL,
    // Redis), which the worker waits on; on SQLite only the kernel and whatever else runs.
    otherCpuSeconds: Number(Math.max(0, machineSeconds - (worker.user + worker.system) / 1e6 - serverSeconds).toFixed(2)),
  }));
} finally {
  if (stoppedServer) process.kill(stoppedServer, 'SIGCONT');
  await trial.close();
  await system.tearDown();
}

#!/usr/bin/env node
/**
 * The SQLite store's work per Dapr-style callback, as CPU instructions counted by
 * `valgrind --tool=callgrind`: a count that machine load does not move (the same burst's
 * CPU per job varied 240–457 µs within minutes on 2026-12-03). It still moves between runs
 * (347,656–384,602 per fired job in four runs of the same code on 2026-12-06: the batches and
 * checkpoints follow the wall clock), so compare several runs of each side.
 *
 * One job's store life in a burst, as the engine drives it: created (one-shot, due now),
 * claimed `reserved` in batches with its schedule advanced, started, and its outcome written
 * with a history entry and the schedule ended. The HTTP request and the engine around it are
 * not in it: this is the store's share alone, which profiles put at about half the
 * server's CPU per callback.
 *
 * Two runs under callgrind, one that only creates the jobs and one that also fires them;
 * the difference divided by the jobs is the instructions per fired job.
 *
 *   npm run build && node scripts/measure-store-instructions.mjs [jobs=2000] [batch=25]
 *   NO_VALGRIND=1 node scripts/measure-store-instructions.mjs 20000 25   # plain run: µs per job (noisy)
 *   node scripts/measure-store-instructions.mjs --tasks [jobs=2000] [batch=50]
 *   STOP_AFTER=claim node scripts/measure-store-instructions.mjs 4000 25   # the claim alone (or: start)
 *   SQLITE_ONLY=1 node scripts/measure-store-instructions.mjs 2000 25     # only inside sqlite3_step
 *   node scripts/measure-store-instructions.mjs --reads [jobs=1000] [reads=400]
 *
 * `STOP_AFTER=claim` (or `start`): the fired run stops each batch after its claim (or after
 * its start), so the difference is that step's share of a fired job.
 *
 * `--reads`: the API's reads instead, over `jobs` Dapr jobs: a page of 100 jobs (`listJobs`),
 * a page of 100 Dapr jobs (`listSchedules`) and a Dapr job by name (`getScheduleByName`),
 * `reads` of each; prints the instructions per read (each kind's run, less one with no reads).
 *
 * `--tasks`: `/api/v1` task jobs instead, as a worker's jobs live: created in batches of 100
 * (a bulk create), claimed `running` in batches, and their outcomes written in batches without
 * a history entry (a task's success has none). It also prints the instructions per created job
 * (the setup run, less one that creates none).
 *
 * `SQLITE_ONLY=1`: callgrind counts only inside `sqlite3_step` (`--toggle-collect`), SQLite's
 * own work on the statements, without the JavaScript and the bindings around them (its
 * spread: 182,931–192,447 in four runs of the same code on 2026-12-06).
 *
 * `batch` is the claim's and the outcome flush's size: in a burst at --max-concurrent-jobs 50
 * the server claims and flushes about 25 at a time (scripts/measure-burst-cpu.mjs reports
 * store calls per job).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = new URL('../dist/', import.meta.url);
const OWNER = 'measure-node';
const NOW = Date.UTC(2026, 0, 1);

async function inner(phase, jobs, batch, tasks) {
  const { createStore } = await import(new URL('store/open-store.js', dist).href);
  if (tasks) return innerTasks(createStore, phase, jobs, batch);
  const { buildDaprJob } = await import(new URL('services/dapr-job-spec.js', dist).href);
  const { occurrencePlanner } = await import(new URL('store/planners.js', dist).href);
  const dir = mkdtempSync(join(tmpdir(), 'chime-store-instr-'));
  const store = await createStore(join(dir, 'chime.db'));
  await store.open();
  try {
    const defaults = { failurePolicy: { kind: 'constant', intervalMs: 1000, maxRetries: 3 }, missedFire: 'fire_once' };
    for (let i = 0; i < jobs; i++) {
      const { schedule, first } = buildDaprJob(`job-${i}`, { dueTime: '0s', data: { n: i } }, 'dapr', NOW, defaults);
      await store.createSchedule(schedule, first, 'create');
    }
    if (phase === 'full') await fireAll(store, occurrencePlanner(5000), jobs, batch);
    if (phase.startsWith('read:')) await readMany(store, phase.slice('read:'.length), jobs, batch);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

const TASK = { name: 'process_data', version: '1.0', description: '', queue: 'default', timeoutMs: 300_000, maxRetries: 3, retryDelayMs: 60_000, isAsync: true, registeredAt: NOW, lastSeenAt: NOW };

async function innerTasks(createStore, phase, jobs, batch) {
  const { buildTaskJob } = await import(new URL('services/platform-job-spec.js', dist).href);
  const dir = mkdtempSync(join(tmpdir(), 'chime-store-instr-'));
  const store = await createStore(join(dir, 'chime.db'));
  await store.open();
  try {
    for (let i = 0; i < jobs; i += 100) {
      const specs = Array.from({ length: Math.min(100, jobs - i) }, (_, k) => ({ taskName: 'process_data', args: [i + k], kwargs: {}, priority: 'normal', tags: [], metadata: {} }));
      await store.insertJobs(specs.map((spec) => buildTaskJob(spec, TASK, NOW)));
    }
    if (phase !== 'full') return;
    const lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };
    let done = 0;
    for (;;) {
      const now = NOW + 1;
      const claimed = await store.claimDue({ lane, now, limit: batch, owner: OWNER, leaseMs: 30_000, planNext: () => null });
      if (claimed.length === 0) break;
      await store.recordOutcomes(claimed.map((job) => ({ jobId: job.id, owner: OWNER, status: 'completed', finishedAt: now + 2, result: null })));
      done += claimed.length;
    }
    if (done !== jobs) throw new Error(`ran ${done} of ${jobs}`);
  } finally {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `reads` reads of one kind (see --reads) over the `jobs` Dapr jobs stored. */
async function readMany(store, kind, jobs, reads) {
  const read = {
    'list-jobs': () => store.listJobs({ limit: 100, offset: 0, orderBy: 'created_at', orderDir: 'desc', skipTotal: true }),
    'list-schedules': () => store.listSchedules({ dialects: ['dapr'], limit: 100, offset: 0 }),
    'get-by-name': (i) => store.getScheduleByName(`job-${i % jobs}`),
  }[kind];
  if (!read) throw new Error(`unknown read ${kind}`);
  for (let i = 0; i < reads; i++) if (!(await read(i))) throw new Error(`${kind} found nothing`);
}

async function fireAll(store, planNext, jobs, batch) {
  let fired = 0;
  for (;;) {
    const now = NOW + 1;
    const claimed = await store.claimDue({ lane: { target: 'callback' }, now, dueBy: now, limit: batch, owner: OWNER, leaseMs: 30_000, planNext, as: 'reserved' });
    if (claimed.length === 0) break;
    fired += claimed.length;
    if (process.env.STOP_AFTER === 'claim') continue;
    const ids = claimed.map((job) => job.id);
    await store.startJobs(OWNER, ids, now);
    if (process.env.STOP_AFTER === 'start') continue;
    await store.recordOutcomes(
      claimed.map((job) => ({
        jobId: job.id,
        owner: OWNER,
        status: 'completed',
        finishedAt: now + 2,
        attempt: { outcome: 'success', firedAt: now, durationMs: 1.5, httpStatus: 200, error: null, response: null },
      })),
    );
  }
  if (fired !== jobs) throw new Error(`fired ${fired} of ${jobs}`);
}

/** Instructions of one inner run, from callgrind's summary line. */
function countInstructions(phase, jobs, batch, tasks) {
  const out = join(mkdtempSync(join(tmpdir(), 'chime-callgrind-')), 'callgrind.out');
  const run = spawnSync(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${out}`, ...(process.env.SQLITE_ONLY ? ['--toggle-collect=sqlite3_step'] : []), process.execPath, '--single-threaded', fileURLToPath(import.meta.url), '--inner', phase, String(jobs), String(batch), ...(tasks ? ['--tasks'] : [])],
    { encoding: 'utf8' },
  );
  if (run.status !== 0) throw new Error(`valgrind ${phase} failed: ${run.stderr.slice(-2000)}`);
  const summary = readFileSync(out, 'utf8').match(/^summary: (\d+)/m);
  rmSync(out, { force: true });
  if (!summary) throw new Error('no summary line in the callgrind output');
  return Number(summary[1]);
}

const tasks = process.argv.includes('--tasks');
const reads = process.argv.includes('--reads');
const args = process.argv.slice(2).filter((arg) => arg !== '--tasks' && arg !== '--reads');
if (args[0] === '--inner') {
  await inner(args[1], Number(args[2]), Number(args[3]), tasks);
} else if (reads) {
  const jobs = Number(args[0] ?? 1000);
  const count = Number(args[1] ?? 400);
  const setup = countInstructions('setup', jobs, count);
  const perRead = {};
  for (const kind of ['list-jobs', 'list-schedules', 'get-by-name']) perRead[kind] = Math.round((countInstructions(`read:${kind}`, jobs, count) - setup) / count);
  console.log(JSON.stringify({ jobs, reads: count, instructionsPerRead: perRead, setup }));
} else {
  const jobs = Number(args[0] ?? 2000);
  const batch = Number(args[1] ?? (tasks ? 50 : 25));
  if (process.env.NO_VALGRIND) {
    const started = process.cpuUsage();
    await inner('full', jobs, batch, tasks);
    const cpu = process.cpuUsage(started);
    console.log(JSON.stringify({ jobs, batch, cpuUsPerJobWithCreate: Math.round((cpu.user + cpu.system) / jobs) }));
  } else if (tasks) {
    const empty = countInstructions('setup', 0, batch, true);
    const setup = countInstructions('setup', jobs, batch, true);
    const full = countInstructions('full', jobs, batch, true);
    console.log(
      JSON.stringify({ jobs, batch, instructionsPerCreatedJob: Math.round((setup - empty) / jobs), instructionsPerRunJob: Math.round((full - setup) / jobs), empty, setup, full }),
    );
  } else {
    const setup = countInstructions('setup', jobs, batch);
    const full = countInstructions('full', jobs, batch);
    console.log(JSON.stringify({ jobs, batch, instructionsPerFiredJob: Math.round((full - setup) / jobs), setup, full }));
  }
}

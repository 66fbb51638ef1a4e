/**
 * A server and two `chime worker` processes on one store (a SQLite file, a PostgreSQL schema,
 * a Redis key prefix): 10,000 jobs across all four priorities each complete exactly once; a
 * worker killed with -9 mid-run loses its jobs back to the queue when its lease expires, and
 * they complete elsewhere.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { JobsClient } from '../../src/client/jobs-client.js';
import type { JobRecord } from '../../src/core/types.js';
import { createStore } from '../../src/store/open-store.js';
import { waitFor } from '../support/receiver.js';
import { CHIME_BIN, startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { TEST_JWT_SECRET, testToken } from '../support/server.js';
import { dropCreatedStores, freshStoreSpec } from '../support/store-backend.js';
import { tempDir } from '../support/temp.js';

const TASKS = new URL('../fixtures/worker-tasks.mjs', import.meta.url).pathname;
const PRIORITIES = ['critical', 'high', 'normal', 'low'] as const;
/**
 * Short enough that the killed worker's jobs come back within the test, long enough that a live
 * worker stalled by a loaded machine (it renews every third of it) keeps its leases: at 2 s, a
 * live worker on a 2-core box running other suites lost a lease and its job ran twice.
 */
const LEASE = '6s';

function startWorker(store: string, env: NodeJS.ProcessEnv, extra: string[] = []): ChildProcess {
  return spawn(process.execPath, [CHIME_BIN, 'worker', '--store', store, '--tasks', TASKS, '--concurrency', '20', '--lease', LEASE, '--log-level', 'warn', ...extra], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
}

function executions(log: string): Map<string, string[]> {
  const byJob = new Map<string, string[]>();
  if (!existsSync(log)) return byJob;
  for (const line of readFileSync(log, 'utf8').split('\n')) {
    if (!line) continue;
    const [id, pid] = line.split(' ') as [string, string];
    byJob.set(id, [...(byJob.get(id) ?? []), pid]);
  }
  return byJob;
}

/** A held job (see the fixture) `pid` started less than `withinMs` ago and has not finished, if any. */
function heldJob(startLog: string, runLog: string, pid: string, withinMs: number): string | undefined {
  if (!existsSync(startLog)) return undefined;
  const finished = executions(runLog);
  for (const line of readFileSync(startLog, 'utf8').split('\n')) {
    const [id, by, at, holdMs] = line.split(' ') as [string, string, string, string];
    if (by === pid && Number(holdMs) > withinMs && Date.now() - Number(at) < withinMs && !finished.get(id)?.includes(pid)) return id;
  }
  return undefined;
}

/** Every job of the store, read page by page. */
async function allJobs(spec: string): Promise<JobRecord[]> {
  const store = await createStore(spec);
  await store.open();
  try {
    const jobs: JobRecord[] = [];
    for (let offset = 0; ; offset += 1000) {
      const page = await store.listJobs({ limit: 1000, offset, orderBy: 'created_at', orderDir: 'asc' });
      jobs.push(...page.items);
      if (page.items.length < 1000) return jobs;
    }
  } finally {
    await store.close();
  }
}

describe.each(['sqlite', 'postgres', 'redis'] as const)('workers in separate processes on one %s store', (backend) => {
  let chime: ChimeProcess | undefined;
  const workers: ChildProcess[] = [];

  afterEach(async () => {
    for (const worker of workers.splice(0)) if (worker.exitCode === null && worker.signalCode === null) worker.kill('SIGKILL');
    if (chime) await stopChime(chime);
  });
  afterAll(dropCreatedStores);

  it('completes 10,000 jobs across priorities exactly once, and survives a worker killed mid-run', async () => {
    const dir = tempDir();
    const store = freshStoreSpec(backend, { storeClock: true });
    const log = join(dir, 'runs.log');
    const startLog = join(dir, 'starts.log');
    const env = { RUN_LOG: log, START_LOG: startLog, TASK_DELAY_MS: '1', CHIME_JWT_SECRET: TEST_JWT_SECRET };
    chime = await startChime(['--store', store, '--lease', LEASE], env);
    const first = startWorker(store, env);
    const second = startWorker(store, env);
    workers.push(first, second);
    const client = new JobsClient(chime.url, await testToken('write'));
    await waitFor(async () => (await client.listTasks()).total === 1, 10_000, 'the workers to register their task');

    const ids: string[] = [];
    for (let offset = 0; offset < 10_000; offset += 1000) {
      // One job in 200 is held for 2 s, so each worker is mostly in the middle of one.
      const batch = Array.from({ length: 1000 }, (_, i) => ({
        task_name: 'record',
        args: [offset + i],
        kwargs: i % 200 === 0 ? { hold_ms: 2000 } : {},
        priority: PRIORITIES[(offset + i) % 4],
      }));
      ids.push(...(await client.createJobs(batch)));
    }
    // Kill one worker without warning once work is under way, while it is surely running a
    // held job (started under a second ago, held for two): its lease must be taken back.
    let held: string | undefined;
    await waitFor(() => {
      if (executions(log).size <= 2000) return false;
      held = heldJob(startLog, log, String(first.pid), 1000);
      return held !== undefined;
    }, 30_000, 'work to be under way, with the first worker holding a job');
    first.kill('SIGKILL');
    const killedPid = String(first.pid);

    await waitFor(async () => (await client.getJobStats()).completed_jobs === 10_000, 60_000, 'every job to complete');
    const stats = await client.getJobStats();
    expect(stats).toMatchObject({ total_jobs: 10_000, completed_jobs: 10_000, failed_jobs: 0, pending_jobs: 0, running_jobs: 0 });
    expect(stats.by_priority).toEqual({ critical: 2500, high: 2500, normal: 2500, low: 2500 });

    const runs = executions(log);
    expect([...runs.keys()].sort()).toEqual([...ids].sort());
    const rerun = [...runs.entries()].filter(([, pids]) => pids.length > 1);
    // Only jobs the killed worker had started may have run twice (their outcome died with it).
    for (const [id, pids] of rerun) {
      expect(pids, id).toHaveLength(2);
      expect(pids[0], id).toBe(killedPid);
      expect(pids[1], id).not.toBe(killedPid);
    }
    // At most what it ran while its last outcome batches were being written: a batch in
    // flight and the next being collected; at a few thousand jobs a second and a store write
    // of a few milliseconds, tens of jobs (SQLite ~30, PostgreSQL ~60 here), never hundreds.
    expect(rerun.length).toBeLessThanOrEqual(200);
    const byPid = new Map<string, number>();
    for (const pids of runs.values()) byPid.set(pids[pids.length - 1]!, (byPid.get(pids[pids.length - 1]!) ?? 0) + 1);
    expect(byPid.get(String(second.pid))).toBeGreaterThan(1000);
    // Jobs the dead worker had started were taken back after its lease, with the attempt
    // counted and a lease_expired entry in their history.
    const retried = (await allJobs(store)).filter((job) => job.attempts > 1).map((job) => job.id);
    expect(retried).toContain(held);
    expect(retried).toEqual(expect.arrayContaining(rerun.map(([id]) => id)));
    const reader = await createStore(store);
    await reader.open();
    try {
      for (const id of retried) {
        const history = await reader.listHistory({ jobId: id, limit: 10 });
        expect(history.map((h) => h.outcome), id).toContain('lease_expired');
      }
    } finally {
      await reader.close();
    }
  }, 120_000);
});

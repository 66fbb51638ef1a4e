/**
 * Contract case for what the dashboard and `/api/v1` read: the task job stats and the v1 jobs
 * list's totals equal a recount of the jobs themselves, and a filtered list is the whole list
 * filtered, in the same order, after any mix of the changes a job goes through (created,
 * claimed, started, finished, retried, reaped, cancelled, cleared, purged). Each backend counts
 * and filters its own way (SQLite on its scan reader, Redis through its indexes and walks).
 * Registered by runStoreContract, so every backend runs it.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import type { JobRecord, JobStatus, Priority } from '../../src/core/types.js';
import type { JobOutcome, JobQuery, Lane, Store } from '../../src/store/store.js';
import { T0, callbackTemplate, newJob, noNext, taskTemplate } from '../support/fixtures.js';

const QUEUES = ['default', 'reports'] as const;
const LANES: Record<'task' | 'callback', Lane> = {
  task: { target: 'task', queues: [...QUEUES], tasks: ['process_data'] },
  callback: { target: 'callback' },
};
const OWNER = 'n1';
const LEASE_MS = 4_000;
const STEP_MS = 1_000;

type Step =
  | { kind: 'insert'; jobs: { sort: 'task' | 'http' | 'dapr'; queue: (typeof QUEUES)[number]; priority: Priority; dueIn: number }[] }
  | { kind: 'claim'; lane: 'task' | 'callback'; as: 'running' | 'reserved'; limit: number }
  | { kind: 'start' }
  | { kind: 'finish'; status: JobOutcome['status']; count: number }
  | { kind: 'release' }
  | { kind: 'reap' }
  | { kind: 'cancel' | 'retry' | 'delete'; pick: number }
  | { kind: 'clear'; queue: (typeof QUEUES)[number] }
  | { kind: 'purge' };

const priority = fc.constantFrom<Priority>('critical', 'high', 'normal', 'low');
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({
    kind: fc.constant('insert' as const),
    jobs: fc.array(
      fc.record({ sort: fc.constantFrom('task' as const, 'http' as const, 'dapr' as const), queue: fc.constantFrom(...QUEUES), priority, dueIn: fc.constantFrom(0, 0, 3 * STEP_MS) }),
      { minLength: 1, maxLength: 6 },
    ),
  }),
  fc.record({ kind: fc.constant('claim' as const), lane: fc.constantFrom('task' as const, 'callback' as const), as: fc.constantFrom('running' as const, 'reserved' as const), limit: fc.integer({ min: 1, max: 5 }) }),
  fc.constant({ kind: 'start' as const }),
  fc.record({ kind: fc.constant('finish' as const), status: fc.constantFrom<JobOutcome['status']>('completed', 'failed', 'timeout', 'cancelled', 'retrying'), count: fc.integer({ min: 1, max: 4 }) }),
  fc.constant({ kind: 'release' as const }),
  fc.constant({ kind: 'reap' as const }),
  fc.record({ kind: fc.constantFrom('cancel' as const, 'retry' as const, 'delete' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('clear' as const), queue: fc.constantFrom(...QUEUES) }),
  fc.constant({ kind: 'purge' as const }),
);

/** The jobs a run's steps work on: those it claimed (by state) and every one it created. */
interface Held {
  now: number;
  reserved: string[];
  running: string[];
  created: string[];
}

async function apply(store: Store, held: Held, s: Step): Promise<void> {
  held.now += STEP_MS;
  const now = held.now;
  switch (s.kind) {
    case 'insert': {
      const jobs = s.jobs.map(({ sort, queue, priority, dueIn }) =>
        sort === 'task'
          ? newJob({ runAt: now + dueIn, createdAt: now }, taskTemplate({ queue, priority }))
          : newJob({ runAt: now + dueIn, createdAt: now, dialect: sort === 'http' ? 'v1' : 'dapr' }, callbackTemplate({ priority })),
      );
      await store.insertJobs(jobs);
      held.created.push(...jobs.map((job) => job.id));
      return;
    }
    case 'claim': {
      const claimed = await store.claimDue({ lane: LANES[s.lane], now, limit: s.limit, owner: OWNER, leaseMs: LEASE_MS, planNext: noNext, as: s.as });
      (s.as === 'reserved' ? held.reserved : held.running).push(...claimed.map((job) => job.id));
      return;
    }
    case 'start':
      await store.startJobs(OWNER, held.reserved, now);
      held.running.push(...held.reserved.splice(0));
      return;
    case 'finish': {
      const done = held.running.splice(0, s.count);
      await store.recordOutcomes(
        done.map((jobId) => ({
          jobId,
          owner: OWNER,
          status: s.status,
          finishedAt: now,
          ...(s.status === 'retrying' ? { retryAt: now + STEP_MS } : {}),
          attempt: { outcome: s.status === 'completed' ? 'succeeded' : 'failed', firedAt: now - 1, durationMs: 1, httpStatus: null, error: null },
        })),
      );
      return;
    }
    case 'release':
      await store.releaseLeases(OWNER, [...held.reserved.splice(0), ...held.running.splice(0)], now);
      return;
    case 'reap':
      await store.reapExpiredLeases({ now, limit: 100 });
      return;
    case 'cancel':
    case 'retry':
    case 'delete': {
      const id = held.created[s.pick % Math.max(1, held.created.length)];
      if (id === undefined) return;
      // A finished job cannot be cancelled, nor an unfailed one retried: the store refuses, and changes nothing.
      if (s.kind === 'cancel') await store.cancelJob(id, 'test', now, noNext).catch(refusedByState);
      else if (s.kind === 'delete') await store.deleteFinishedJob(id);
      else await store.retryJob(id, now).catch(refusedByState);
      return;
    }
    case 'clear':
      await store.clearQueue(s.queue);
      return;
    case 'purge':
      await store.purgeFinished(now - 2 * STEP_MS, 100);
      return;
  }
}

function refusedByState(error: unknown): void {
  if (!(error instanceof ChimeError && error.code === 'INVALID_STATE')) throw error;
}

/** The stats recounted from the jobs listed. */
function recount(tasks: readonly JobRecord[]) {
  const byStatus = new Map<JobStatus, number>();
  const byQueue = new Map<string, number>();
  const byPriority = new Map<Priority, number>();
  const waits: number[] = [];
  const runs: number[] = [];
  for (const job of tasks) {
    byStatus.set(job.status, (byStatus.get(job.status) ?? 0) + 1);
    byQueue.set(job.queue, (byQueue.get(job.queue) ?? 0) + 1);
    byPriority.set(job.priority, (byPriority.get(job.priority) ?? 0) + 1);
    if (job.startedAt !== null) {
      waits.push(job.startedAt - Math.max(job.occurrence, job.createdAt));
      if (job.status === 'completed' && job.completedAt !== null) runs.push(job.completedAt - job.startedAt);
    }
  }
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  return { total: tasks.length, byStatus, byQueue, byPriority, avgWaitMs: mean(waits), avgRunMs: mean(runs) };
}

const TOTALS: Partial<JobQuery>[] = [
  {},
  { target: 'task' },
  { target: 'callback' },
  { queue: 'reports' },
  { priority: 'high' },
  { statuses: ['failed'] },
  { statuses: ['pending', 'retrying'] },
  { target: 'task', queue: 'default', statuses: ['completed', 'cancelled'] },
];

function matches(job: JobRecord, query: Partial<JobQuery>): boolean {
  return (
    (query.target === undefined || job.target === query.target) &&
    (query.queue === undefined || job.queue === query.queue) &&
    (query.priority === undefined || job.priority === query.priority) &&
    (query.statuses === undefined || query.statuses.includes(job.status))
  );
}

export function jobCountCases(store: () => Store): void {
  describe('job counts', () => {
    it('task job stats and v1 lists and their totals agree with the jobs themselves, whatever happened to them', async () => {
      const held: Held = { now: T0, reserved: [], running: [], created: [] };
      await fc.assert(
        fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 20 }), async (steps) => {
          for (const s of steps) await apply(store(), held, s);
          const page = { limit: 100_000, offset: 0, orderBy: 'created_at', orderDir: 'desc', skipTotal: true } as const;
          const v1 = (await store().listJobs({ ...page, dialect: 'v1' })).items;
          const expected = recount(v1.filter((job) => job.target === 'task'));
          const stats = await store().jobStats();
          expect(stats.total).toBe(expected.total);
          for (const [status, n] of Object.entries(stats.byStatus)) expect([status, n]).toEqual([status, expected.byStatus.get(status as JobStatus) ?? 0]);
          expect(Object.fromEntries(Object.entries(stats.byQueue).map(([queue, counts]) => [queue, counts.total]))).toEqual(Object.fromEntries(expected.byQueue));
          for (const [p, n] of Object.entries(stats.byPriority)) expect([p, n]).toEqual([p, expected.byPriority.get(p as Priority) ?? 0]);
          if (expected.avgWaitMs === null) expect(stats.avgWaitMs).toBeNull();
          else expect(stats.avgWaitMs).toBeCloseTo(expected.avgWaitMs, 6);
          if (expected.avgRunMs === null) expect(stats.avgRunMs).toBeNull();
          else expect(stats.avgRunMs).toBeCloseTo(expected.avgRunMs, 6);
          for (const filter of TOTALS) {
            const expected = v1.filter((job) => matches(job, filter)).map((job) => job.id);
            const { total } = await store().listJobs({ ...page, limit: 1, skipTotal: false, dialect: 'v1', ...filter });
            expect([filter, total]).toEqual([filter, expected.length]);
            // The filtered list in the same order as the whole one, and a page of it at an offset.
            const { items } = await store().listJobs({ ...page, dialect: 'v1', ...filter });
            expect([filter, items.map((job) => job.id)]).toEqual([filter, expected]);
            const { items: slice } = await store().listJobs({ ...page, offset: 1, limit: 2, dialect: 'v1', ...filter });
            expect([filter, slice.map((job) => job.id)]).toEqual([filter, expected.slice(1, 3)]);
          }
        }),
        { numRuns: 15 },
      );
    });
  });
}

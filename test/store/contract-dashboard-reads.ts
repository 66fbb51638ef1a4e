/**
 * Contract cases for the dashboard's reads at scale: Dapr-style job counts by status, and the
 * jobs list's keyset (cursor) paging. Registered by runStoreContract, so every backend runs them.
 */
import { describe, expect, it } from 'vitest';
import type { JobOrderField, JobOutcome, JobQuery, Lane, SortDirection, Store } from '../../src/store/store.js';
import { T0, firstJob, newJob, newSchedule, noNext, taskTemplate } from '../support/fixtures.js';

const CALLBACKS: Lane = { target: 'callback' };
const NONE = { active: 0, paused: 0, completed: 0, expired: 0, failed: 0 };

function finished(jobId: string, status: 'completed' | 'failed'): JobOutcome {
  return {
    jobId,
    owner: 'n1',
    status,
    finishedAt: T0 + 10,
    attempt: { outcome: status === 'completed' ? 'succeeded' : 'failed', firedAt: T0, durationMs: 10, httpStatus: 200, error: null },
  };
}

export function dashboardReadCases(store: () => Store): void {
  describe('dashboard reads', () => {
    it('counts Dapr-style jobs by status through create, fire, dead letter and delete', async () => {
      expect(await store().callbackScheduleCounts()).toEqual(NONE);
      const fires = newSchedule({ recurrence: { kind: 'once' } });
      const fails = newSchedule({ recurrence: { kind: 'once' } });
      const recurring = newSchedule({ startAt: T0 + 60_000 });
      // A task schedule (the platform's) is not a Dapr-style job.
      const platform = newSchedule({ dialect: 'v1', template: taskTemplate() });
      for (const s of [fires, fails, recurring, platform]) await store().createSchedule(s, firstJob(s), 'create');
      expect(await store().callbackScheduleCounts()).toEqual({ ...NONE, active: 3 });

      const claimed = await store().claimDue({ lane: CALLBACKS, now: T0, limit: 10, owner: 'n1', leaseMs: 1000, planNext: noNext });
      const jobOf = new Map(claimed.map((j) => [j.scheduleId, j.id]));
      await store().recordOutcomes([finished(jobOf.get(fires.id)!, 'completed'), finished(jobOf.get(fails.id)!, 'failed')]);
      expect(await store().callbackScheduleCounts()).toEqual({ ...NONE, active: 1, completed: 1, failed: 1 });

      await store().updateSchedule(recurring.id, { status: 'paused', nextOccurrence: null, updatedAt: T0 + 20 });
      expect(await store().callbackScheduleCounts()).toEqual({ ...NONE, paused: 1, completed: 1, failed: 1 });

      expect(await store().deleteSchedule(fails.id)).toBe(true);
      expect(await store().deleteSchedule(recurring.id)).toBe(true);
      expect(await store().callbackScheduleCounts()).toEqual({ ...NONE, completed: 1 });
    });

    /** Every page of `query` by keyset, `limit` at a time. */
    async function walk(query: Omit<JobQuery, 'limit' | 'offset'>, limit: number): Promise<string[]> {
      const ids: string[] = [];
      let after: JobQuery['after'];
      for (let pages = 0; pages < 50; pages++) {
        const page = await store().listJobs({ ...query, limit, offset: 0, after, skipTotal: true });
        expect(page.total).toBeNull();
        ids.push(...page.items.map((j) => j.id));
        if (!page.next) return ids;
        after = page.next;
      }
      throw new Error('keyset paging did not end');
    }

    it('pages by keyset in every order, with filters, as offset paging orders the same list', async () => {
      // Same created_at for several jobs (a bulk insert), NULL started_at for most, mixed priorities.
      const jobs = Array.from({ length: 11 }, (_, i) =>
        newJob({
          createdAt: T0 + Math.floor(i / 3),
          queue: i % 4 === 0 ? 'reports' : 'default',
          priority: (['critical', 'high', 'normal', 'low'] as const)[i % 4],
          runAt: T0 + (i * 7) % 5,
          tags: i % 2 === 0 ? ['even'] : [],
        }),
      );
      await store().insertJobs(jobs);
      await store().claimDue({ lane: { target: 'task', queues: ['default'], tasks: ['process_data'] }, now: T0 + 10, limit: 3, owner: 'w1', leaseMs: 5000, planNext: noNext });
      const orders: JobOrderField[] = ['created_at', 'scheduled_at', 'priority', 'status', 'started_at'];
      for (const orderBy of orders) {
        for (const orderDir of ['asc', 'desc'] as SortDirection[]) {
          for (const filter of [{}, { queue: 'default' }, { tags: ['even'] }, { statuses: ['pending' as const, 'running' as const] }]) {
            const query = { target: 'task' as const, orderBy, orderDir, ...filter };
            const all = await store().listJobs({ ...query, limit: 100, offset: 0 });
            expect(await walk(query, 2), `${orderBy} ${orderDir} ${JSON.stringify(filter)}`).toEqual(all.items.map((j) => j.id));
          }
        }
      }
    });

    it('lists jobs in flight by status in created order, with totals, offsets and keyset pages', async () => {
      // Claimed in run_at order, which is not created order; two reserved, two running, one left.
      const jobs = Array.from({ length: 5 }, (_, i) => newJob({ createdAt: T0 + i, runAt: T0 - [3, 1, 4, 0, 2][i]! }));
      await store().insertJobs(jobs);
      const lane = { target: 'task' as const, queues: ['default'], tasks: ['process_data'] };
      const reserved = await store().claimDue({ lane, now: T0, limit: 2, owner: 'w1', leaseMs: 9000, planNext: noNext, as: 'reserved' });
      const running = await store().claimDue({ lane, now: T0, limit: 2, owner: 'w2', leaseMs: 5000, planNext: noNext });
      expect([...reserved, ...running].map((j) => j.id)).toEqual([jobs[2]!.id, jobs[0]!.id, jobs[4]!.id, jobs[1]!.id]);
      const ids = async (statuses: JobQuery['statuses'], orderDir: SortDirection, offset = 0, limit = 10) => {
        const page = await store().listJobs({ statuses, orderBy: 'created_at', orderDir, offset, limit });
        return [page.total, page.items.map((j) => jobs.findIndex((x) => x.id === j.id))];
      };
      expect(await ids(['running'], 'asc')).toEqual([2, [1, 4]]);
      expect(await ids(['reserved'], 'desc')).toEqual([2, [2, 0]]);
      expect(await ids(['reserved', 'running'], 'asc', 1, 2)).toEqual([4, [1, 2]]);
      expect(await ids(['pending', 'running'], 'desc')).toEqual([3, [4, 3, 1]]);
      const query = { statuses: ['running' as const, 'reserved' as const], orderBy: 'created_at' as const, orderDir: 'desc' as const };
      expect(await walk(query, 3)).toEqual([4, 2, 1, 0].map((i) => jobs[i]!.id));
      // An outcome takes the job out of the running list; a started reserved job moves to it.
      await store().recordOutcomes([{ ...finished(jobs[4]!.id, 'completed'), owner: 'w2' }]);
      await store().startJobs('w1', [jobs[0]!.id], T0 + 1);
      expect(await ids(['running'], 'asc')).toEqual([2, [0, 1]]);
      expect(await ids(['reserved'], 'asc')).toEqual([1, [2]]);
      expect(await ids(['completed'], 'asc')).toEqual([1, [4]]);
    });

    it('keeps its place when rows before the cursor go away or new ones arrive', async () => {
      const jobs = Array.from({ length: 6 }, (_, i) => newJob({ createdAt: T0 + i }));
      await store().insertJobs(jobs);
      const query = { target: 'task' as const, orderBy: 'created_at' as const, orderDir: 'desc' as const, limit: 2, offset: 0, skipTotal: true };
      const first = await store().listJobs(query);
      expect(first.items.map((j) => j.id)).toEqual([jobs[5]!.id, jobs[4]!.id]);
      // The cursor's own row leaves the status index it was listed from, and a newer job arrives.
      await store().insertJobs([newJob({ createdAt: T0 + 100 })]);
      await store().cancelJob(jobs[4]!.id, null, T0, noNext);
      const second = await store().listJobs({ ...query, statuses: ['pending'], after: first.next! });
      expect(second.items.map((j) => j.id)).toEqual([jobs[3]!.id, jobs[2]!.id]);
      const last = await store().listJobs({ ...query, limit: 10, after: second.next! });
      expect(last.items.map((j) => j.id)).toEqual([jobs[1]!.id, jobs[0]!.id]);
      expect(last.next).toBeNull();
    });
  });
}

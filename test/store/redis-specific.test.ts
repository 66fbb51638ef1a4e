/**
 * What only the Redis store has to prove: pub/sub between store instances, claims from
 * several stores on one prefix, the two-step claim surviving a node that dies between its
 * steps, Redis TIME as a claim bound, the durability check, migrations racing from several
 * nodes, and failing fast when the server cannot be reached.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it, onTestFinished } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { CALLBACK_QUEUE } from '../../src/core/types.js';
import { createRedisStore, type RedisStore } from '../../src/store/redis/index.js';
import { RedisKeys } from '../../src/store/redis/keys.js';
import { LATEST_LAYOUT } from '../../src/store/redis/migrations/index.js';
import { claimDue, leaseDue } from '../../src/store/redis/claims.js';
import type { RedisContext } from '../../src/store/redis/context.js';
import type { DueSignal, JobKeyset, Lane, PlanNext } from '../../src/store/store.js';
import { expectSameMachineClock } from '../support/same-machine-clock.js';
import { T0, callbackTemplate, everyPlan, firstJob, newJob, newSchedule, noNext, taskTemplate } from '../support/fixtures.js';
import { REDIS_URL, deleteTestPrefixes, rawContext, testStore, uniquePrefix } from './redis-support.js';

const CALLBACKS: Lane = { target: 'callback' };
const TASKS: Lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };
const opened: RedisStore[] = [];

async function open(prefix = uniquePrefix(), useStoreClock = false): Promise<RedisStore> {
  const store = createRedisStore({ url: REDIS_URL, prefix, useStoreClock });
  opened.push(store);
  await store.open();
  return store;
}

afterEach(async () => {
  await Promise.all(opened.splice(0).map((s) => s.close()));
  await deleteTestPrefixes();
});

afterAll(deleteTestPrefixes);

function counting(plan: PlanNext): { plan: PlanNext; calls: () => number } {
  let calls = 0;
  return {
    plan: (schedule, occurrence, now) => {
      calls++;
      return plan(schedule, occurrence, now);
    },
    calls: () => calls,
  };
}

/** The next claim script runs, and its reply is lost as when the connection drops meanwhile. */
function loseNextClaimReply(ctx: RedisContext): void {
  const redis = ctx.redis as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>;
  // The claim's reply is one MessagePack string, taken as a Buffer (RedisContext.packedScript).
  const run = redis.chimeClaimDueBuffer!;
  redis.chimeClaimDueBuffer = async function (this: unknown, ...args: unknown[]) {
    redis.chimeClaimDueBuffer = run;
    await run.apply(this, args);
    throw new Error('Connection is closed.');
  };
}

async function occurrencesOf(store: RedisStore, scheduleId: string): Promise<number[]> {
  const page = await store.listJobs({ scheduleId, limit: 100, offset: 0, orderBy: 'scheduled_at', orderDir: 'asc' });
  return page.items.map((j) => j.occurrence);
}

describe('Redis store', () => {
  it('publishes due signals to a second store instance within milliseconds, and not back to itself', async () => {
    const prefix = uniquePrefix();
    const a = await open(prefix);
    const b = await open(prefix);
    const onA: (DueSignal | null)[] = [];
    a.onDue((signal) => onA.push(signal));
    const received = new Promise<{ signal: DueSignal | null; at: number }>((resolve) => {
      b.onDue((signal) => resolve({ signal, at: performance.now() }));
    });
    const sent = performance.now();
    await a.insertJobs([newJob({ runAt: T0 + 5 })]);
    const { signal, at } = await received;
    expect(signal).toEqual({ target: 'task', queue: 'default', runAt: T0 + 5 });
    // Typically under a ms; the bound allows for a loaded machine (a lost message never resolves at all).
    expect(at - sent).toBeLessThan(700);
    await new Promise((resolve) => setTimeout(resolve, 20));
    // A's listener got its own signal once, from the script's reply, not again from pub/sub.
    expect(onA).toEqual([{ target: 'task', queue: 'default', runAt: T0 + 5 }]);
  });

  it('never hands one job to two of four stores claiming 2,000 jobs at once', async () => {
    const prefix = uniquePrefix();
    const stores = await Promise.all(Array.from({ length: 4 }, () => open(prefix)));
    await stores[0]!.insertJobs(Array.from({ length: 2000 }, (_, i) => newJob({ runAt: T0 - i })));
    const claimed = await Promise.all(
      stores.map(async (store, n) => {
        const ids: string[] = [];
        for (;;) {
          const batch = await store.claimDue({ lane: TASKS, now: T0, limit: 100, owner: `w${n}`, leaseMs: 60_000, planNext: noNext });
          if (batch.length === 0) return ids;
          ids.push(...batch.map((j) => j.id));
        }
      }),
    );
    const all = claimed.flat();
    expect(all).toHaveLength(2000);
    expect(new Set(all).size).toBe(2000);
    expect(claimed.every((ids) => ids.length > 0)).toBe(true);
  });

  it('applies the layout migration once when several nodes open one new prefix at once', async () => {
    const prefix = uniquePrefix();
    await Promise.all(Array.from({ length: 4 }, () => open(prefix)));
    const redis = new Redis(REDIS_URL);
    try {
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
    } finally {
      redis.disconnect();
    }
  });

  it('layout 2 indexes the v1 schedule names already stored, duplicates included, so creates of those names are refused', async () => {
    const prefix = uniquePrefix();
    const before = await open(prefix);
    const v1 = (name: string) => newSchedule({ name, dialect: 'v1', template: taskTemplate() });
    const [first, second, solo] = [v1('dup'), v1('dup-to-be'), v1('solo')];
    for (const s of [first, second, solo]) await before.createSchedule(s, firstJob(s), 'create');
    await before.close();
    // Back to layout 1: no index, and a duplicate name as two nodes of an older version could leave.
    const redis = new Redis(REDIS_URL);
    try {
      await redis.del(`${prefix}:v1-names`);
      await redis.hset(new RedisKeys(prefix).schedule(second.id), 'name', 'dup');
      await redis.set(`${prefix}:layout`, '1');
      const after = await open(prefix);
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
      expect(await redis.zcard(`${prefix}:v1-names`)).toBe(3);
      const again = (name: string) => {
        const s = v1(name);
        return after.createSchedule(s, firstJob(s), 'create');
      };
      await expect(again('solo')).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
      await expect(again('dup')).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
      // Each duplicate holds the name until it goes.
      await after.deleteSchedule(first.id);
      await expect(again('dup')).rejects.toMatchObject({ code: 'SCHEDULE_EXISTS' });
      await after.deleteSchedule(second.id);
      await again('dup');
    } finally {
      redis.disconnect();
    }
  });

  it('layout 4 deletes the status zsets of reserved and running jobs, which claims no longer write', async () => {
    const prefix = uniquePrefix();
    const before = await open(prefix);
    const jobs = [newJob({ createdAt: T0 }), newJob({ createdAt: T0 + 1 })];
    await before.insertJobs(jobs);
    await before.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w', leaseMs: 5000, planNext: noNext, as: 'reserved' });
    await before.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w', leaseMs: 5000, planNext: noNext });
    await before.close();
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.keys(`${prefix}:idx:status:*`)).toEqual([]);
      // Layout 3, as an older version left it: both jobs in the zsets of their statuses.
      await redis.zadd(`${prefix}:idx:status:reserved`, T0, jobs[0]!.id);
      await redis.zadd(`${prefix}:idx:status:running`, T0 + 1, jobs[1]!.id);
      await redis.set(`${prefix}:layout`, '3');
      const after = await open(prefix);
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
      expect(await redis.keys(`${prefix}:idx:status:*`)).toEqual([]);
      const listed = await after.listJobs({ statuses: ['reserved', 'running'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
      expect(listed.items.map((j) => [j.id, j.status])).toEqual([[jobs[0]!.id, 'reserved'], [jobs[1]!.id, 'running']]);
    } finally {
      redis.disconnect();
    }
  });

  it('layout 3 indexes the dialect of the jobs already stored, over several calls, so dialect listings find them', async () => {
    const prefix = uniquePrefix();
    const before = await open(prefix);
    // More than one call's 1,000, so the walk resumes from its saved cursor.
    const v1 = Array.from({ length: 2400 }, (_, i) => newJob({ createdAt: T0 + i }));
    const httpTarget = newJob({ createdAt: T0 + 5000 }, callbackTemplate());
    const dapr = newJob({ createdAt: T0 + 5001, dialect: 'dapr' }, callbackTemplate());
    const seed = newJob({ createdAt: T0 + 5002, dialect: 'envelope' }, callbackTemplate());
    await before.insertJobs([...v1, httpTarget, dapr, seed]);
    await before.close();
    // Back to layout 2: no dialect index, every job in `jobs` (which layout 3 walks and layout 6
    // dropped), and one job from before `envelope` was renamed.
    const redis = new Redis(REDIS_URL);
    try {
      const indexes = await redis.keys(`${prefix}:idx:dialect:*`);
      expect(indexes.length).toBe(3);
      await redis.del(...indexes);
      for (const job of [...v1, httpTarget, dapr, seed]) await redis.zadd(`${prefix}:jobs`, job.createdAt, job.id);
      await redis.hset(new RedisKeys(prefix).job(seed.id), 'dialect', 'seed');
      await redis.set(`${prefix}:layout`, '2');
      const after = await open(prefix);
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
      expect(await redis.exists(`${prefix}:migrate:jobs-dialect`)).toBe(0);
      const list = (dialect: 'v1' | 'dapr' | 'envelope') => after.listJobs({ dialect, limit: 2, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
      const listed = await list('v1');
      expect(listed.total).toBe(2401);
      expect(listed.items.map((j) => j.id)).toEqual([httpTarget.id, v1[2399]!.id]);
      expect((await list('dapr')).items.map((j) => j.id)).toEqual([dapr.id]);
      expect((await list('envelope')).items.map((j) => j.id)).toEqual([seed.id]);
    } finally {
      redis.disconnect();
    }
  });

  it('layout 5 indexes the dead letters already stored, over several calls, so their list and count find them in order', async () => {
    const prefix = uniquePrefix();
    const before = await open(prefix);
    // More than one call's 1,000 finished jobs, so the walk resumes from its saved cursor.
    const callbacks = Array.from({ length: 1500 }, (_, i) => newJob({ createdAt: T0 + i, runAt: T0 }, callbackTemplate()));
    const task = newJob({ createdAt: T0 + 2000, runAt: T0 });
    await before.insertJobs([...callbacks, task]);
    const claimed = await before.claimDue({ lane: CALLBACKS, now: T0, limit: 1500, owner: 'w', leaseMs: 60_000, planNext: noNext });
    expect(claimed).toHaveLength(1500);
    // Every third completed, the rest failed, every tenth of those timed out; finished at T0 + i.
    const statusOf = (i: number) => (i % 3 === 0 ? 'completed' : i % 10 === 1 ? 'timeout' : 'failed');
    const index = new Map(callbacks.map((job, i) => [job.id, i]));
    await before.recordOutcomes(
      claimed.map((job) => {
        const i = index.get(job.id)!;
        return { jobId: job.id, owner: 'w', status: statusOf(i), finishedAt: T0 + 10_000 + i, attempt: { outcome: 'failed', firedAt: T0, durationMs: 1, httpStatus: 500, error: null } } as const;
      }),
    );
    const [taskClaim] = await before.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w', leaseMs: 60_000, planNext: noNext });
    await before.recordOutcomes([{ jobId: taskClaim!.id, owner: 'w', status: 'failed', finishedAt: T0 + 20_000 }]);
    const dead = callbacks.map((job, i) => [job.id, i] as const).filter(([, i]) => statusOf(i) !== 'completed').map(([id]) => id);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.zcard(`${prefix}:dead-letters`)).toBe(dead.length);
      // Layout 4, as an older version left it: no dead-letter index.
      await redis.del(`${prefix}:dead-letters`);
      await redis.set(`${prefix}:layout`, '4');
      const after = await open(prefix);
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
      expect(await redis.exists(`${prefix}:migrate:dead-letters`)).toBe(0);
      expect(await redis.zcard(`${prefix}:dead-letters`)).toBe(dead.length);
      const page = await after.listJobs({ target: 'callback', statuses: ['failed', 'timeout'], limit: 3, offset: 2, orderBy: 'completed_at', orderDir: 'desc' });
      expect(page.total).toBe(dead.length);
      expect(page.items.map((job) => job.id)).toEqual(dead.slice().reverse().slice(2, 5));
      expect((await after.jobCounts()).deadLetters).toBe(dead.length);
      // A retried dead letter leaves the index; the failed task job never was in it.
      await after.retryJob(dead[0]!, T0 + 30_000);
      expect(await redis.zcard(`${prefix}:dead-letters`)).toBe(dead.length - 1);
    } finally {
      redis.disconnect();
    }
  });

  it('layout 6 deletes the index of every job and the target indexes; lists, the target filter and task stats go by the dialects', async () => {
    const prefix = uniquePrefix();
    const before = await open(prefix);
    // Two chunks' worth of v1 jobs would cost seconds here; the walk's paging is the layout 3 test's.
    const tasks = Array.from({ length: 5 }, (_, i) => newJob({ createdAt: T0 + i * 10 }));
    const httpTarget = newJob({ createdAt: T0 + 1 }, callbackTemplate());
    const dapr = newJob({ createdAt: T0 + 2, dialect: 'dapr' }, callbackTemplate());
    const envelope = newJob({ createdAt: T0 + 3, dialect: 'envelope' }, callbackTemplate());
    const all = [...tasks, httpTarget, dapr, envelope];
    await before.insertJobs(all);
    await before.close();
    const redis = new Redis(REDIS_URL);
    const byCreated = (jobs: typeof all) => jobs.slice().sort((a, b) => b.createdAt - a.createdAt).map((j) => j.id);
    try {
      expect(await redis.exists(`${prefix}:jobs`)).toBe(0);
      expect(await redis.keys(`${prefix}:idx:target:*`)).toEqual([]);
      // Layout 5, as an older version left it: every job in `jobs` and in its target's index.
      for (const job of all) {
        await redis.zadd(`${prefix}:jobs`, job.createdAt, job.id);
        await redis.zadd(`${prefix}:idx:target:${job.target}`, job.createdAt, job.id);
      }
      await redis.set(`${prefix}:layout`, '5');
      const after = await open(prefix);
      expect(Number(await redis.get(`${prefix}:layout`))).toBe(LATEST_LAYOUT);
      expect(await redis.exists(`${prefix}:jobs`, `${prefix}:idx:target:task`, `${prefix}:idx:target:callback`)).toBe(0);
      const list = (query: { target?: 'task' | 'callback'; after?: JobKeyset }, limit = 3) =>
        after.listJobs({ ...query, limit, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
      // Unfiltered: the dialects' indexes merged, newest first, and paged by cursor.
      const first = await list({});
      expect(first.total).toBe(all.length);
      expect(first.items.map((j) => j.id)).toEqual(byCreated(all).slice(0, 3));
      const rest = await list({ after: first.next! }, 10);
      expect(rest.items.map((j) => j.id)).toEqual(byCreated(all).slice(3));
      // The target filter: the v1 index for tasks, every dialect's for callbacks, each job checked.
      const taskPage = await list({ target: 'task' });
      expect(taskPage.total).toBe(tasks.length);
      expect(taskPage.items.map((j) => j.id)).toEqual(byCreated(tasks).slice(0, 3));
      const nextTasks = await list({ target: 'task', after: taskPage.next! });
      expect(nextTasks.items.map((j) => j.id)).toEqual(byCreated(tasks).slice(3));
      const callbacks = await list({ target: 'callback' }, 10);
      expect(callbacks.total).toBe(3);
      expect(callbacks.items.map((j) => j.id)).toEqual(byCreated([httpTarget, dapr, envelope]));
      // The task stats count the task jobs among the v1 ones, not the HTTP-target job beside them.
      const stats = await after.jobStats();
      expect(stats.byStatus.pending).toBe(tasks.length);
      expect(stats.total).toBe(tasks.length);
    } finally {
      redis.disconnect();
    }
  });

  describe('a claim whose reply is lost', () => {
    it("hands its jobs to the lane's next claim, once, with the schedule advanced", async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
      await store.createSchedule(s, firstJob(s), 'create');
      const node = await rawContext(prefix);
      try {
        const claim = (now: number) => claimDue(node.ctx, { lane: CALLBACKS, now, limit: 10, owner: 'node', leaseMs: 15_000, planNext: everyPlan });
        loseNextClaimReply(node.ctx);
        await expect(claim(T0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        // It ran: the job is leased to the node, which holds nothing.
        expect((await store.listJobs({ scheduleId: s.id, limit: 10, offset: 0, orderBy: 'scheduled_at', orderDir: 'asc' })).items[0]).toMatchObject({
          status: 'running',
          leaseOwner: 'node',
        });
        // Not another lane's to take.
        expect((await claimDue(node.ctx, { lane: TASKS, now: T0 + 50, limit: 10, owner: 'node', leaseMs: 15_000, planNext: everyPlan })).value).toEqual([]);

        const again = await claim(T0 + 100);
        expect(again.value.map((j) => [j.occurrence, j.attempts, j.deliver])).toEqual([[T0, 1, true]]);
        expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 1, lastOccurrence: T0, nextRunAt: T0 + 1000 });
        expect((await claim(T0 + 200)).value).toEqual([]);
      } finally {
        node.close();
      }
    });

    it('leaves a lease that ran out to the reaper', async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      await store.insertJobs([newJob({ runAt: T0 })]);
      const node = await rawContext(prefix);
      try {
        const claim = (now: number) => claimDue(node.ctx, { lane: TASKS, now, limit: 10, owner: 'node', leaseMs: 100, planNext: noNext });
        loseNextClaimReply(node.ctx);
        await expect(claim(T0)).rejects.toMatchObject({ code: 'STORE_UNAVAILABLE' });
        // Another node may be reaping it right now: holding it too could fire it twice.
        expect((await claim(T0 + 200)).value).toEqual([]);
        expect(await store.reapExpiredLeases({ now: T0 + 200, limit: 10 })).toHaveLength(1);
      } finally {
        node.close();
      }
    });
  });

  describe('a node that dies between leasing and advancing', () => {
    it('loses no occurrence and fires none twice once its lease is reaped and the job claimed again', async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
      await store.createSchedule(s, firstJob(s), 'create');
      const dead = await rawContext(prefix);
      try {
        const leased = await leaseDue(dead.ctx, { lane: CALLBACKS, now: T0, limit: 10, owner: 'dead', leaseMs: 100 });
        expect(leased.jobs).toHaveLength(1);
        expect(leased.markers).toHaveLength(1);
      } finally {
        dead.close();
      }
      // The schedule has not moved: no next occurrence, nothing else to claim meanwhile.
      expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 0, lastOccurrence: null });
      expect(await store.claimDue({ lane: CALLBACKS, now: T0 + 50, limit: 10, owner: 'live', leaseMs: 100, planNext: everyPlan })).toEqual([]);

      expect(await store.reapExpiredLeases({ now: T0 + 200, limit: 10 })).toHaveLength(1);
      const plans = counting(everyPlan);
      const again = await store.claimDue({ lane: CALLBACKS, now: T0 + 200, limit: 10, owner: 'live', leaseMs: 100, planNext: plans.plan });
      expect(again.map((j) => [j.occurrence, j.attempts, j.deliver])).toEqual([[T0, 2, true]]);
      expect(plans.calls()).toBe(1);
      expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 1, lastOccurrence: T0, nextRunAt: T0 + 1000 });

      const next = await store.claimDue({ lane: CALLBACKS, now: T0 + 1000, limit: 10, owner: 'live', leaseMs: 5000, planNext: plans.plan });
      expect(next.map((j) => j.occurrence)).toEqual([T0 + 1000]);
      expect(await occurrencesOf(store, s.id)).toEqual([T0, T0 + 1000, T0 + 2000]);
      expect((await store.getSchedule(s.id))?.fireCount).toBe(2);
    });

    it('is completed by the next claim on the queue when the job is never claimed again', async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      // No retries: the reaper fails the job, so only the sweep can move the schedule on.
      const s = newSchedule({ template: { ...newSchedule().template, failurePolicy: { kind: 'drop' } } });
      await store.createSchedule(s, firstJob(s), 'create');
      const dead = await rawContext(prefix);
      try {
        await leaseDue(dead.ctx, { lane: CALLBACKS, now: T0, limit: 10, owner: 'dead', leaseMs: 100 });
      } finally {
        dead.close();
      }
      expect(await store.reapExpiredLeases({ now: T0 + 200, limit: 10 })).toEqual([
        expect.objectContaining({ previousOwner: 'dead', status: 'failed' }),
      ]);
      expect(await store.getSchedule(s.id)).toMatchObject({ status: 'active', fireCount: 0 });
      // No job waits, but the stale marker shows as due, so a dispatcher wakes up and claims.
      expect(await store.peekDueTimes(CALLBACKS, T0 + 1000, 10)).toEqual([T0 + 100]);

      const plans = counting(everyPlan);
      // Nothing is due, yet the claim takes over the stale marker and advances the schedule.
      expect(await store.claimDue({ lane: CALLBACKS, now: T0 + 200, limit: 10, owner: 'live', leaseMs: 100, planNext: plans.plan })).toEqual([]);
      expect(plans.calls()).toBe(1);
      expect(await store.getSchedule(s.id)).toMatchObject({ status: 'active', fireCount: 1, lastOccurrence: T0, nextRunAt: T0 + 1000 });
      const next = await store.claimDue({ lane: CALLBACKS, now: T0 + 1000, limit: 10, owner: 'live', leaseMs: 5000, planNext: plans.plan });
      expect(next.map((j) => j.occurrence)).toEqual([T0 + 1000]);
      expect(plans.calls()).toBe(2);
      expect(await occurrencesOf(store, s.id)).toEqual([T0, T0 + 1000, T0 + 2000]);
    });

    it('moves the schedule once when the slow node wakes up after a sweeper completed its step', async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      const s = newSchedule();
      await store.createSchedule(s, firstJob(s), 'create');
      const slow = await rawContext(prefix);
      try {
        const leased = await leaseDue(slow.ctx, { lane: CALLBACKS, now: T0, limit: 10, owner: 'slow', leaseMs: 100 });
        // Past the marker's deadline another node sweeps it (the job itself is still leased).
        const plans = counting(everyPlan);
        await store.claimDue({ lane: CALLBACKS, now: T0 + 150, limit: 10, owner: 'sweeper', leaseMs: 100, planNext: plans.plan });
        expect(plans.calls()).toBe(1);
        // The slow node finishes its own step 2 late, with a plan of its own.
        const { advanceSchedules } = await import('../../src/store/redis/advance-schedules.js');
        const deliver = await advanceSchedules(slow.ctx, leased.markers, leased.schedules, () => ({ deliver: true, next: T0 + 500 }), T0 + 160);
        expect([...deliver.values()]).toEqual([true]);
      } finally {
        slow.close();
      }
      expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 1, lastOccurrence: T0, nextRunAt: T0 + 1000 });
      expect(await occurrencesOf(store, s.id)).toEqual([T0, T0 + 1000]);
    });

    it('keeps the waiting occurrence an update chose in between, and still counts the firing', async () => {
      const prefix = uniquePrefix();
      const store = await open(prefix);
      const s = newSchedule();
      await store.createSchedule(s, firstJob(s), 'create');
      const dead = await rawContext(prefix);
      try {
        await leaseDue(dead.ctx, { lane: CALLBACKS, now: T0, limit: 10, owner: 'dead', leaseMs: 100 });
      } finally {
        dead.close();
      }
      await store.updateSchedule(s.id, {
        patch: { recurrence: { kind: 'every', everyMs: 60_000 } },
        nextOccurrence: firstJob(s, T0 + 60_000),
        updatedAt: T0 + 10,
      });
      await store.reapExpiredLeases({ now: T0 + 200, limit: 10 });
      const again = await store.claimDue({ lane: CALLBACKS, now: T0 + 200, limit: 10, owner: 'live', leaseMs: 100, planNext: everyPlan });
      expect(again.map((j) => j.occurrence)).toEqual([T0]);
      expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 1, lastOccurrence: T0, nextRunAt: T0 + 60_000 });
      expect(await occurrencesOf(store, s.id)).toEqual([T0, T0 + 60_000]);
    });
  });

  it('never claims ahead of Redis TIME with useStoreClock on', async () => {
    const store = await open(uniquePrefix(), true);
    const server = Math.floor(await store.serverTime());
    expect(Math.abs(server - Date.now())).toBeLessThan(5000);
    const due = newJob({ runAt: server - 1000 });
    const ahead = newJob({ runAt: server + 60_000 });
    await store.insertJobs([due, ahead]);
    const seen: (DueSignal | null)[] = [];
    store.onDue((signal) => seen.push(signal));
    // The caller's clock runs two minutes fast; Redis's does not.
    const claimed = await store.claimDue({ lane: TASKS, now: server + 120_000, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
    expect(claimed.map((j) => j.id)).toEqual([due.id]);
    expect((await store.getJob(ahead.id))?.status).toBe('pending');
    // The caller is told when, on its own clock, Redis's clock reaches the held-back job.
    const [wake] = seen as DueSignal[];
    expect(wake).toMatchObject({ target: 'task', queue: 'default' });
    expect(wake!.runAt).toBeGreaterThan(server + 60_000 + 120_000 - 5000);
    expect(wake!.runAt).toBeLessThanOrEqual(server + 60_000 + 120_000);
  });

  it('reads Redis TIME to a fraction of a millisecond: a node on this machine measures offset 0', async () => {
    const store = await open(uniquePrefix(), true);
    await expectSameMachineClock(() => store.serverTime());
  });

  it('warns at open when the server can lose acknowledged jobs', async () => {
    const store = await open();
    const redis = new Redis(REDIS_URL);
    try {
      const [, appendonly] = (await redis.call('CONFIG', 'GET', 'appendonly')) as string[];
      const [, policy] = (await redis.call('CONFIG', 'GET', 'maxmemory-policy')) as string[];
      if (appendonly === 'no') expect(store.warnings.some((w) => w.includes('appendonly no'))).toBe(true);
      if (policy !== 'noeviction') expect(store.warnings.some((w) => w.includes('maxmemory-policy'))).toBe(true);
      expect(store.warnings.length > 0).toBe(appendonly === 'no' || policy !== 'noeviction');
    } finally {
      redis.disconnect();
    }
  });

  it('fails fast with STORE_UNAVAILABLE and reports unhealthy when Redis cannot be reached', async () => {
    const store = createRedisStore({ url: 'redis://127.0.0.1:1', prefix: uniquePrefix() });
    const started = performance.now();
    const error = await store.open().catch((e: unknown) => e);
    expect(performance.now() - started).toBeLessThan(1000);
    expect(error).toBeInstanceOf(ChimeError);
    expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');
    expect((await store.health()).ok).toBe(false);
    const call = await store.getJob('x').catch((e: unknown) => e);
    expect((call as ChimeError).code).toBe('STORE_UNAVAILABLE');
    await store.close();
    await store.close();
  });

  it('maps a duplicate id to JOB_EXISTS without writing any of the batch', async () => {
    const store = testStore();
    opened.push(store);
    await store.open();
    const a = newJob();
    const b = newJob();
    const error = await store.insertJobs([a, b, newJob({ id: a.id })]).catch((e: unknown) => e);
    expect((error as ChimeError).code).toBe('JOB_EXISTS');
    expect((error as ChimeError).message).toBe(`a job with id "${a.id}" appears twice in the batch`);
    expect(await store.getJob(a.id)).toBeNull();
    expect(await store.getJob(b.id)).toBeNull();
    expect((await store.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(0);
  });

  it('builds the same key names in TypeScript and Lua, escaping separators in names', async () => {
    const prefix = uniquePrefix();
    const store = await open(prefix);
    const job = newJob({ queue: 'a:b%3A', taskName: 'c:d', priority: 'high' });
    await store.insertJobs([job]);
    const keys = new RedisKeys(prefix);
    const redis = new Redis(REDIS_URL);
    try {
      expect(await redis.hget(keys.job(job.id), 'queue')).toBe('a:b%3A');
      expect(await redis.zscore(keys.waiting('a:b%3A', 'c:d', 1), job.id)).toBe(String(T0));
      // Unescaped, the key would collide with queue 'a', task 'b%3A:c:d'.
      expect(keys.waiting('a:b%3A', 'c:d', 1)).toBe(`${prefix}:waiting:a%3Ab%253A:c%3Ad:1`);
    } finally {
      redis.disconnect();
    }
    const lane: Lane = { target: 'task', queues: ['a:b%3A'], tasks: ['c:d'] };
    expect((await store.claimDue({ lane, now: T0, limit: 1, owner: 'w', leaseMs: 1000, planNext: noNext })).map((j) => j.id)).toEqual([job.id]);
  });

  it('keeps far-future times exact (year 9999 needs 15 digits)', async () => {
    const store = await open();
    const far = Date.parse('9999-12-31T23:59:59.999Z');
    const job = newJob({ runAt: far, createdAt: far - 1 });
    await store.insertJobs([job]);
    expect(await store.getJob(job.id)).toMatchObject({ runAt: far, occurrence: far, createdAt: far - 1 });
    expect(await store.peekDueTimes(TASKS, far, 10)).toEqual([far]);
    const [claimed] = await store.claimDue({ lane: TASKS, now: far, limit: 1, owner: 'w', leaseMs: 1000, planNext: noNext });
    expect(claimed).toMatchObject({ id: job.id, leaseUntil: far + 1000 });
  });

  it('pages a filter with few matches among thousands of candidates from the indexes\' intersection, in order', async () => {
    const store = await open();
    const admin = new Redis(REDIS_URL);
    onTestFinished(() => admin.disconnect());
    const zinterCalls = async (): Promise<number> => Number(/^cmdstat_zinter:calls=(\d+)/m.exec(await admin.info('commandstats'))?.[1] ?? 0);
    // Queue q1 holds 3,030 jobs, 30 of them v1 (the matches: half the oldest, half the newest,
    // some created in one millisecond); the v1 index holds 4,030. Queue q1 drives (the smaller),
    // and a page that needs matches from both ends would walk past 3,000 candidates.
    const match = (createdAt: number) => newJob({ createdAt, queue: 'q1', dialect: 'v1' });
    const matches = [
      ...Array.from({ length: 15 }, (_, i) => match(T0 + Math.floor(i / 3))),
      ...Array.from({ length: 15 }, (_, i) => match(T0 + 10_000 + Math.floor(i / 3))),
    ];
    const others = [
      ...Array.from({ length: 3000 }, (_, i) => newJob({ createdAt: T0 + 100 + i, queue: 'q1', dialect: 'dapr' })),
      ...Array.from({ length: 4000 }, (_, i) => newJob({ createdAt: T0 + i, queue: 'q2', dialect: 'v1' })),
    ];
    const all = [...matches, ...others];
    for (let i = 0; i < all.length; i += 1000) await store.insertJobs(all.slice(i, i + 1000));
    const ascending = [...matches].sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1)).map((j) => j.id);

    const before = await zinterCalls();
    for (const orderDir of ['asc', 'desc'] as const) {
      const expected = orderDir === 'asc' ? ascending : [...ascending].reverse();
      const query = { queue: 'q1', dialect: 'v1' as const, orderBy: 'created_at' as const, orderDir };
      const first = await store.listJobs({ ...query, limit: 20, offset: 0 });
      expect([first.total, first.items.map((j) => j.id)]).toEqual([30, expected.slice(0, 20)]);
      const offset = await store.listJobs({ ...query, limit: 20, offset: 12, skipTotal: true });
      expect(offset.items.map((j) => j.id)).toEqual(expected.slice(12, 30));
      // Keyset pages, cut inside a millisecond shared by several matches.
      const seen: string[] = [];
      let after = (await store.listJobs({ ...query, limit: 7, offset: 0, skipTotal: true })).next;
      seen.push(...expected.slice(0, 7));
      while (after) {
        const page = await store.listJobs({ ...query, limit: 7, offset: 0, after, skipTotal: true });
        seen.push(...page.items.map((j) => j.id));
        after = page.next;
      }
      expect(seen).toEqual(expected);
    }
    // The intersection served them: the old walk read every candidate and never asked for it.
    expect((await zinterCalls()) - before).toBeGreaterThanOrEqual(4);
  });

  it('lists by every order and filter with an exact total', async () => {
    const store = await open();
    const jobs = [
      newJob({ createdAt: T0 + 1, runAt: T0 + 30, priority: 'low', tags: ['x'] }),
      newJob({ createdAt: T0 + 2, runAt: T0 + 10, priority: 'high', tags: ['x', 'y'] }),
      newJob({ createdAt: T0 + 3, runAt: T0 + 20, queue: 'other' }),
      newJob({ createdAt: T0 + 4, runAt: T0 - 5, priority: 'critical' }),
    ];
    await store.insertJobs(jobs);
    await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
    const page = (q: Partial<Parameters<RedisStore['listJobs']>[0]>) =>
      store.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc', ...q });
    expect((await page({ orderBy: 'run_at' })).items.map((j) => j.runAt)).toEqual([T0 - 5, T0 + 10, T0 + 20, T0 + 30]);
    expect((await page({ orderBy: 'priority', orderDir: 'desc' })).items.map((j) => j.priority)).toEqual(['low', 'normal', 'high', 'critical']);
    // NULL first ascending, as SQLite: only the claimed job has started.
    expect((await page({ orderBy: 'started_at', orderDir: 'desc' })).items[0]?.id).toBe(jobs[3]!.id);
    const running = await page({ statuses: ['running'], workerId: 'w1' });
    expect([running.total, running.items[0]?.id]).toEqual([1, jobs[3]!.id]);
    const tagged = await page({ tags: ['x'], queue: 'default', statuses: ['pending', 'running'], offset: 1, limit: 1 });
    expect([tagged.total, tagged.items.map((j) => j.id)]).toEqual([2, [jobs[1]!.id]]);
    const waiting = await page({ statuses: ['pending', 'running'], orderDir: 'desc', offset: 1, limit: 2 });
    expect([waiting.total, waiting.items.map((j) => j.id)]).toEqual([4, [jobs[2]!.id, jobs[1]!.id]]);
    expect((await page({ target: 'callback' })).total).toBe(0);
    expect((await page({ queue: CALLBACK_QUEUE })).total).toBe(0);
  });
});

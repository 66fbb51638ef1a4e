import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ClaimedJob } from '../../src/core/types.js';
import { ClaimLoop, type ClaimLoopOptions, type JobSlots } from '../../src/runtime/claim-loop.js';
import type { ClaimRequest, Lane } from '../../src/store/store.js';
import { T0, callbackTemplate, newJob, noNext } from '../support/fixtures.js';
import { openSpyStore, type SpyStore } from '../support/spy-store.js';

const CALLBACKS: Lane = { target: 'callback' };
const OPTIONS: ClaimLoopOptions = {
  lane: CALLBACKS,
  owner: 'node-a',
  concurrency: 100,
  batchSize: 256,
  prefetch: 0,
  leadMs: 0,
  leaseMs: 30_000,
  planNext: noNext,
};

/** Slots that start every job they are given and keep it running until the test frees it. */
interface FakeSlots extends JobSlots {
  active: number;
  started: ClaimedJob[];
  marked: [string, number][];
  errors: string[];
}

let spy: SpyStore;
let clock: VirtualClock;
let slots: FakeSlots;
let loop: ClaimLoop;

function openLoop(options: Partial<ClaimLoopOptions> = {}): ClaimLoop {
  loop = new ClaimLoop(spy.store, clock, { ...OPTIONS, ...options }, slots);
  loop.start();
  return loop;
}

function claims(): ClaimRequest[] {
  return (spy.calls.get('claimDue') ?? []).map(([request]) => request as ClaimRequest);
}

async function insertCallbacks(...offsets: number[]): Promise<string[]> {
  const jobs = offsets.map((offset) => newJob({ runAt: T0 + offset }, callbackTemplate()));
  await spy.inner.insertJobs(jobs);
  return jobs.map((job) => job.id);
}

beforeEach(async () => {
  spy = await openSpyStore();
  clock = new VirtualClock(T0);
  slots = {
    active: 0,
    running() {
      return this.active;
    },
    started: [],
    marked: [],
    errors: [],
    admit: () => true,
    start(job) {
      this.started.push(job);
      this.active++;
    },
    markStarted(jobId, at) {
      this.marked.push([jobId, at]);
    },
    onError(_error, context) {
      this.errors.push(context);
    },
  };
});

afterEach(async () => {
  loop?.stop();
  await spy.close();
});

describe('ClaimLoop', () => {
  it('claims in batches of at most batchSize, again while batches come back full', async () => {
    await insertCallbacks(0, 0, 0, 0, 0, 0, 0);
    openLoop({ batchSize: 3 }).claim();
    await clock.advance(0);
    expect(claims().map((c) => c.limit)).toEqual([3, 3, 3]);
    expect(claims().every((c) => c.as === 'running' && c.dueBy === T0 && c.owner === 'node-a')).toBe(true);
    expect(slots.started).toHaveLength(7);
    expect(slots.marked).toEqual([]);
  });

  it('claims no more than its free slots plus prefetch, and tops the reserve up once half spent', async () => {
    await insertCallbacks(...Array.from({ length: 10 }, () => 0));
    openLoop({ concurrency: 2, prefetch: 3 }).claim();
    await clock.advance(0);
    expect(claims().map((c) => [c.limit, c.as])).toEqual([[5, 'reserved']]);
    expect(slots.started).toHaveLength(2);
    expect(slots.started.every((job) => job.status === 'running' && job.startedAt === T0)).toBe(true);
    expect(slots.marked.map(([, at]) => at)).toEqual([T0, T0]);
    expect(loop.heldIds).toHaveLength(3);
    expect(loop.heldDue(T0)).toBe(3);

    // A slot frees: a held job takes it; 2 held is more than half the prefetch, no claim.
    slots.active--;
    loop.onSlotFreed(false);
    await clock.advance(0);
    expect(slots.started).toHaveLength(3);
    expect(claims()).toHaveLength(1);

    // Another: 1 held, the reserve is topped up by what fits (3 - 1).
    slots.active--;
    loop.onSlotFreed(false);
    await clock.advance(0);
    expect(slots.started).toHaveLength(4);
    expect(claims().map((c) => c.limit)).toEqual([5, 2]);
    expect(loop.heldIds).toHaveLength(3);
  });

  it('with a ceiling, grows its prefetch while quick jobs outpace slow claims, and not past the ceiling', async () => {
    await insertCallbacks(...Array.from({ length: 3000 }, () => 0));
    const claimDue = spy.store.claimDue.bind(spy.store);
    // Each claim takes 10 ms; each job is done within 1 ms.
    spy.store.claimDue = async (request) => {
      const jobs = await claimDue(request);
      await new Promise((resolve) => clock.setTimer(clock.now() + 10, () => resolve(undefined)));
      return jobs;
    };
    const run = async (options: Partial<ClaimLoopOptions>) => {
      spy.calls.clear();
      slots.started = [];
      openLoop({ concurrency: 1, ...options }).claim();
      for (let ms = 0; ms < 1000; ms++) {
        slots.active = 0;
        loop.onSlotFreed(false);
        await clock.advance(1);
      }
      loop.stop();
      return { limits: claims().map((c) => c.limit), started: slots.started.length };
    };
    const fixed = await run({ prefetch: 4 });
    expect(Math.max(...fixed.limits)).toBeLessThanOrEqual(1 + 4);
    const grown = await run({ prefetch: 4, prefetchCeiling: 32 });
    expect(Math.max(...grown.limits)).toBeGreaterThan(1 + 8);
    expect(Math.max(...grown.limits)).toBeLessThanOrEqual(1 + 32);
    // Fewer, larger claims, and the slot idles less while they are out.
    expect(grown.limits.length).toBeLessThan(fixed.limits.length);
    expect(grown.started).toBeGreaterThan(fixed.started * 1.5);
  });

  it('claims a lead time ahead and starts each held job exactly at its run_at', async () => {
    const [a, b] = await insertCallbacks(1000, 1005, 1011);
    await clock.advanceTo(T0 + 995);
    openLoop({ concurrency: 4, leadMs: 10 }).claim();
    await clock.advance(0);
    expect(claims()).toEqual([expect.objectContaining({ now: T0 + 995, dueBy: T0 + 1005, as: 'reserved' })]);
    expect(loop.heldIds).toEqual([a, b]);
    expect(loop.heldDue(clock.now())).toBe(0);
    await clock.advanceTo(T0 + 999);
    expect(slots.started).toEqual([]);
    await clock.advanceTo(T0 + 1000);
    expect(slots.started.map((job) => [job.id, job.startedAt])).toEqual([[a, T0 + 1000]]);
    expect(slots.marked).toEqual([[a, T0 + 1000]]);
    await clock.advanceTo(T0 + 1004);
    expect(slots.started).toHaveLength(1);
    await clock.advanceTo(T0 + 1005);
    expect(slots.started.map((job) => [job.id, job.startedAt])).toEqual([
      [a, T0 + 1000],
      [b, T0 + 1005],
    ]);
  });

  it('asks the runner to prepare each job claimed ahead of its time, not the ones already due', async () => {
    const prepared: string[] = [];
    slots.prepare = (job) => prepared.push(job.id);
    const [due, ahead] = await insertCallbacks(1000, 1004);
    await clock.advanceTo(T0 + 1000);
    openLoop({ concurrency: 4, leadMs: 10 }).claim();
    await clock.advance(0);
    expect(loop.heldIds).toEqual([ahead]);
    expect(slots.started.map((job) => job.id)).toEqual([due]);
    expect(prepared).toEqual([ahead]);
  });

  it('with a claim span, a claim also takes and holds jobs due that long after the lead', async () => {
    const [a, b, c] = await insertCallbacks(1000, 1005, 1010, 1011);
    await clock.advanceTo(T0 + 990);
    openLoop({ concurrency: 4, leadMs: 10, claimSpanMs: 10 }).claim();
    await clock.advance(0);
    expect(claims()).toEqual([expect.objectContaining({ now: T0 + 990, dueBy: T0 + 1010 })]);
    expect(loop.heldIds).toEqual([a, b, c]);
    await clock.advanceTo(T0 + 1009);
    expect(slots.started.map((job) => [job.id, job.startedAt])).toEqual([
      [a, T0 + 1000],
      [b, T0 + 1005],
    ]);
    await clock.advanceTo(T0 + 1010);
    expect(slots.started.map((job) => job.id)).toEqual([a, b, c]);
  });

  it('a due time within 2 ms of a held start waits for that start, then claims', async () => {
    await insertCallbacks(1000);
    await clock.advanceTo(T0 + 990);
    openLoop({ concurrency: 4, leadMs: 10 }).claim();
    await clock.advanceTo(T0 + 999);
    expect(claims()).toHaveLength(1);
    loop.onDue(clock.now());
    await clock.advance(0);
    expect(claims()).toHaveLength(1);
    await clock.advanceTo(T0 + 1000);
    expect(slots.started).toHaveLength(1);
    expect(claims()).toHaveLength(2);
  });

  it('retries a failed claim after 125, 250, 500 ms, then every second, and starts over after a success', async () => {
    spy.failing.add('claimDue');
    openLoop().claim();
    await clock.advanceTo(T0 + 5000);
    expect(claims().map((c) => c.now - T0)).toEqual([0, 125, 375, 875, 1875, 2875, 3875, 4875]);
    expect(slots.errors).toHaveLength(8);
    expect(new Set(slots.errors)).toEqual(new Set(['claiming due jobs']));

    spy.failing.clear();
    await insertCallbacks(0);
    await clock.advanceTo(T0 + 5875);
    expect(claims()).toHaveLength(9);
    expect(slots.started).toHaveLength(1);

    spy.failing.add('claimDue');
    loop.claim();
    await clock.advanceTo(T0 + 6500);
    expect(claims().slice(9).map((c) => c.now - T0)).toEqual([5875, 6000, 6250]);
  });

  it('keeps one retry pending during an outage: asking again adds no claims', async () => {
    spy.failing.add('claimDue');
    openLoop().claim();
    await clock.advance(0);
    expect(claims()).toHaveLength(1);
    for (let i = 0; i < 20; i++) loop.claim();
    loop.onDue(clock.now());
    loop.onSlotFreed(true);
    await clock.advanceTo(T0 + 124);
    expect(claims()).toHaveLength(1);
    await clock.advanceTo(T0 + 125);
    expect(claims()).toHaveLength(2);
  });

  it('a claim asked for while one is in flight runs once after it, not once per ask', async () => {
    await insertCallbacks(0);
    openLoop();
    loop.claim();
    loop.claim();
    loop.claim();
    expect(loop.claiming).toBe(true);
    await clock.advance(0);
    expect(claims()).toHaveLength(2);
    expect(loop.claiming).toBe(false);
  });

  it('held jobs blocked on a busy target do not use up the reserve', async () => {
    const [blockedId] = await insertCallbacks(0);
    slots.admit = (job) => job.id !== blockedId;
    openLoop({ concurrency: 1, prefetch: 1 }).claim();
    await clock.advance(0);
    // The blocked job is held; the next claim still finds room for one more.
    expect(claims().map((c) => c.limit)).toEqual([2]);
    expect(slots.started).toEqual([]);
    await insertCallbacks(0);
    loop.claim();
    await clock.advance(0);
    expect(claims().map((c) => c.limit)).toEqual([2, 2]);
    expect(slots.started).toHaveLength(1);
    expect(loop.heldIds).toEqual([blockedId]);
  });

  it('with every slot busy, held jobs wait for a slot and are not counted blocked', async () => {
    // The app's pool has as many connections as there are slots, so while every slot is
    // busy its target says no too. Counted blocked, these jobs would let the loop claim
    // MAX_BLOCKED_PER_SLOT times the slots ahead (a sixfold slower burst, 2026-12-02).
    await insertCallbacks(...Array.from({ length: 40 }, () => 0));
    slots.admit = () => slots.active < 2;
    openLoop({ concurrency: 2, prefetch: 4 }).claim();
    await clock.advance(0);
    expect(slots.started).toHaveLength(2);
    expect(claims().map((c) => c.limit)).toEqual([6]);
    // A slot frees and another job takes it; the reserve (3 held) is not topped up.
    slots.active--;
    loop.onSlotFreed(false);
    await clock.advance(0);
    expect(slots.started).toHaveLength(3);
    expect(loop.heldIds).toHaveLength(3);
    expect(claims()).toHaveLength(1);
  });

  it('stop hands back the held jobs and cancels the start timer', async () => {
    const ids = await insertCallbacks(1000, 1000);
    await clock.advanceTo(T0 + 995);
    openLoop({ leadMs: 10 }).claim();
    await clock.advance(0);
    expect(loop.stop()).toEqual(ids);
    await clock.advanceTo(T0 + 2000);
    expect(slots.started).toEqual([]);
    loop.claim();
    await clock.advance(0);
    expect(claims()).toHaveLength(1);
  });
});

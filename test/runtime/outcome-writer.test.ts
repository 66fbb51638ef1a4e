import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ClaimedJob } from '../../src/core/types.js';
import { OutcomeWriter } from '../../src/runtime/outcome-writer.js';
import type { JobOutcome, Lane } from '../../src/store/store.js';
import { T0, callbackTemplate, newJob, noNext } from '../support/fixtures.js';
import { openSpyStore, type SpyStore } from '../support/spy-store.js';

const CALLBACKS: Lane = { target: 'callback' };
const TASKS: Lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };
const OWNER = 'node-a';

let spy: SpyStore;
let written: (readonly JobOutcome[])[];
let errors: unknown[];

function openWriter(maxBatch?: number, minIntervalMs?: number): OutcomeWriter {
  return new OutcomeWriter(
    spy.store,
    (error) => errors.push(error),
    (outcomes) => written.push(outcomes),
    maxBatch,
    minIntervalMs,
  );
}

/** Inserts `count` due callback jobs and claims them for OWNER. */
async function claimJobs(count: number, as: 'running' | 'reserved' = 'running'): Promise<ClaimedJob[]> {
  await spy.inner.insertJobs(Array.from({ length: count }, () => newJob({ runAt: T0 }, callbackTemplate())));
  return spy.inner.claimDue({ lane: CALLBACKS, now: T0, limit: count, owner: OWNER, leaseMs: 60_000, planNext: noNext, as });
}

function completed(job: ClaimedJob, extra: Partial<JobOutcome> = {}): JobOutcome {
  return {
    jobId: job.id,
    owner: OWNER,
    status: 'completed',
    finishedAt: T0 + 50,
    attempt: { outcome: 'succeeded', firedAt: T0, durationMs: 50, httpStatus: 200, error: null },
    ...extra,
  };
}

/** Lets a few event-loop turns pass (no wall time). */
async function turns(count = 5): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

beforeEach(async () => {
  spy = await openSpyStore();
  written = [];
  errors = [];
});

afterEach(async () => {
  vi.useRealTimers();
  await spy.close();
});

describe('OutcomeWriter', () => {
  it('writes every outcome added in one turn with one store call', async () => {
    const jobs = await claimJobs(3);
    const writer = openWriter();
    for (const job of jobs) writer.add(completed(job), job);
    expect(writer.pending).toBe(3);
    await writer.drain();
    expect(spy.calls.get('recordOutcomes')?.map(([batch]) => (batch as JobOutcome[]).length)).toEqual([3]);
    expect(written.map((batch) => batch.length)).toEqual([3]);
    for (const job of jobs) expect((await spy.inner.getJob(job.id))?.status).toBe('completed');

    // A later turn is a later call.
    const [late] = await claimJobs(1);
    writer.add(completed(late!), late!);
    await writer.drain();
    expect(spy.count('recordOutcomes')).toBe(2);
    expect(writer.pending).toBe(0);
  });

  it('splits a turn larger than maxBatch into several calls', async () => {
    const jobs = await claimJobs(5);
    const writer = openWriter(2);
    for (const job of jobs) writer.add(completed(job), job);
    await writer.drain();
    expect(spy.calls.get('recordOutcomes')?.map(([batch]) => (batch as JobOutcome[]).length)).toEqual([2, 2, 1]);
  });

  it('keeps a failed write and retries it after a pause; the jobs stay leased meanwhile', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const [finished, started] = await claimJobs(2, 'reserved');
    const writer = openWriter();
    spy.failing.add('recordOutcomes');
    writer.markStarted(OWNER, started!.id, T0 + 10);
    writer.add(completed(finished!, { startedAt: T0 + 5 }), finished!);
    await turns();
    expect(errors).toHaveLength(1);
    expect(spy.order).toEqual(['startJobs', 'recordOutcomes']);
    expect(await spy.inner.getJob(finished!.id)).toMatchObject({ status: 'reserved', leaseOwner: OWNER });
    // Kept, not lost and not retried before the pause is over.
    expect(writer.pending).toBe(2);
    await turns();
    expect(spy.count('recordOutcomes')).toBe(1);

    spy.failing.clear();
    await vi.advanceTimersByTimeAsync(100);
    await writer.drain();
    expect(spy.count('recordOutcomes')).toBe(2);
    expect(spy.calls.get('recordOutcomes')?.[1]).toEqual([[completed(finished!, { startedAt: T0 + 5 })]]);
    // The start write is kept with it.
    expect(spy.calls.get('startJobs')?.[1]).toEqual([OWNER, [started!.id], T0 + 10]);
    expect(written).toHaveLength(1);
    expect(await spy.inner.getJob(finished!.id)).toMatchObject({ status: 'completed' });
    expect(await spy.inner.getJob(started!.id)).toMatchObject({ status: 'running', startedAt: T0 + 10 });
  });

  it('a job that started and finished within one turn gets no start write of its own', async () => {
    const [job] = await claimJobs(1, 'reserved');
    const writer = openWriter();
    writer.markStarted(OWNER, job!.id, T0 + 1);
    writer.add(completed(job!, { startedAt: T0 + 1 }), job!);
    await writer.drain();
    expect(spy.count('startJobs')).toBe(0);
    expect(await spy.inner.getJob(job!.id)).toMatchObject({ status: 'completed', startedAt: T0 + 1 });
  });

  it('a job whose outcome waits for the next batch gets no start write either', async () => {
    const jobs = await claimJobs(3, 'reserved');
    const writer = openWriter(1);
    for (const job of jobs) writer.markStarted(OWNER, job.id, T0 + 1);
    for (const job of jobs) writer.add(completed(job, { startedAt: T0 + 1 }), job);
    await writer.drain();
    expect(spy.count('recordOutcomes')).toBe(3);
    expect(spy.count('startJobs')).toBe(0);
    for (const job of jobs) expect(await spy.inner.getJob(job.id)).toMatchObject({ status: 'completed', startedAt: T0 + 1 });
  });

  it('a job still running gets its start written, before the outcomes of the same turn', async () => {
    const [running, finished] = await claimJobs(2, 'reserved');
    const writer = openWriter();
    writer.markStarted(OWNER, running!.id, T0 + 1);
    writer.markStarted(OWNER, finished!.id, T0 + 1);
    writer.add(completed(finished!, { startedAt: T0 + 1 }), finished!);
    await writer.drain();
    expect(spy.order).toEqual(['startJobs', 'recordOutcomes']);
    expect(spy.calls.get('startJobs')).toEqual([[OWNER, [running!.id], T0 + 1]]);
    expect(await spy.inner.getJob(running!.id)).toMatchObject({ status: 'running', startedAt: T0 + 1 });
  });

  describe('with a minimum interval between flushes', () => {
    // Wall time is faked (the interval is measured with performance.now and waited with
    // setTimeout); setImmediate stays real, so a turn still passes.
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    });

    it('writes after a quiet spell in the next turn, and what follows within the interval in one later call', async () => {
      const jobs = await claimJobs(3);
      const writer = openWriter(undefined, 50);
      writer.add(completed(jobs[0]!), jobs[0]!);
      await turns();
      expect(spy.count('recordOutcomes')).toBe(1);
      writer.add(completed(jobs[1]!), jobs[1]!);
      await turns();
      await vi.advanceTimersByTimeAsync(20);
      writer.add(completed(jobs[2]!), jobs[2]!);
      await turns();
      expect(spy.count('recordOutcomes')).toBe(1);
      await vi.advanceTimersByTimeAsync(29);
      await turns();
      expect(spy.count('recordOutcomes')).toBe(1);
      await vi.advanceTimersByTimeAsync(1);
      await turns();
      expect(spy.calls.get('recordOutcomes')?.map(([batch]) => (batch as JobOutcome[]).length)).toEqual([1, 2]);
      for (const job of jobs) expect((await spy.inner.getJob(job.id))?.status).toBe('completed');
    });

    it("writes a task job's outcome in the next turn, interval or not: a limited queue's place frees only then", async () => {
      const [callback] = await claimJobs(1);
      await spy.inner.insertJobs([newJob({ runAt: T0 })]);
      const [task] = await spy.inner.claimDue({ lane: TASKS, now: T0, limit: 1, owner: OWNER, leaseMs: 60_000, planNext: noNext });
      const writer = openWriter(undefined, 50);
      writer.add(completed(callback!), callback!);
      await turns();
      expect(spy.count('recordOutcomes')).toBe(1);
      // Within the interval: a callback's outcome would wait 50 ms; the task's does not.
      writer.add(completed(task!), task!);
      await turns();
      expect(spy.count('recordOutcomes')).toBe(2);
      expect((await spy.inner.getJob(task!.id))?.status).toBe('completed');
    });

    it('a start and finish within the interval share one write, with no start write', async () => {
      const [first, job] = await claimJobs(2, 'reserved');
      const writer = openWriter(undefined, 50);
      writer.markStarted(OWNER, first!.id, T0);
      await turns();
      expect(spy.count('startJobs')).toBe(1);
      writer.markStarted(OWNER, job!.id, T0 + 1);
      await vi.advanceTimersByTimeAsync(10);
      writer.add(completed(job!, { startedAt: T0 + 1 }), job!);
      await vi.advanceTimersByTimeAsync(40);
      await turns();
      expect(spy.order).toEqual(['startJobs', 'recordOutcomes']);
      expect(await spy.inner.getJob(job!.id)).toMatchObject({ status: 'completed', startedAt: T0 + 1 });
    });

    it('drain() writes at once instead of waiting out the interval', async () => {
      const jobs = await claimJobs(2);
      const writer = openWriter(undefined, 60_000);
      writer.add(completed(jobs[0]!), jobs[0]!);
      await turns();
      writer.add(completed(jobs[1]!), jobs[1]!);
      await writer.drain();
      expect(spy.count('recordOutcomes')).toBe(2);
      expect(writer.pending).toBe(0);
    });

    it('a batch of starts is written at its latest start, never before a job was due', async () => {
      const [a, b] = await claimJobs(2, 'reserved');
      const writer = openWriter(undefined, 50);
      writer.add(completed((await claimJobs(1))[0]!));
      await turns();
      writer.markStarted(OWNER, a!.id, T0 + 1);
      writer.markStarted(OWNER, b!.id, T0 + 4);
      await writer.drain();
      expect(spy.calls.get('startJobs')).toEqual([[OWNER, [a!.id, b!.id], T0 + 4]]);
    });
  });
});

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ClaimedJob } from '../../src/core/types.js';
import { Dispatcher, type DispatcherOptions } from '../../src/runtime/dispatcher.js';
import type { JobRunner, RunResult } from '../../src/core/job-runner.js';
import { LifecycleEvents, type LifecycleEvent } from '../../src/core/lifecycle-events.js';
import { OutcomeWriter } from '../../src/runtime/outcome-writer.js';
import type { ClaimRequest } from '../../src/store/store.js';
import { T0, callbackTemplate, newJob, noNext } from '../support/fixtures.js';
import { openSpyStore, type SpyStore } from '../support/spy-store.js';

let spy: SpyStore;
let clock: VirtualClock;
let events: LifecycleEvents;
let outcomes: OutcomeWriter;
let dispatcher: Dispatcher;
/** Each attempt the runner got: the job and when it started. */
let runs: { job: ClaimedJob; at: number }[];
/** The attempts still running; a test ends one by resolving it. */
let pending: Map<string, (result: RunResult) => void>;
let errors: string[];

function options(overrides: Partial<DispatcherOptions> = {}): DispatcherOptions {
  return {
    lane: { target: 'callback' },
    owner: 'node-a',
    concurrency: 4,
    batchSize: 256,
    prefetch: 0,
    leadMs: 10,
    leaseMs: 30_000,
    windowMs: 60_000,
    peekLimit: 1000,
    pollIntervalMs: 30_000,
    defaultFailurePolicy: { kind: 'constant', intervalMs: 1000, maxRetries: 3 },
    defaultTimeoutMs: 5000,
    exhaustedOutcome: 'dead_lettered',
    historyOnSuccess: true,
    planNext: noNext,
    events,
    ...overrides,
  };
}

const runner: JobRunner = {
  run: (job, abort) =>
    new Promise<RunResult>((resolve) => {
      runs.push({ job, at: clock.now() });
      pending.set(job.id, resolve);
      abort.onAbort(() => resolve({ ok: false, httpStatus: null }));
    }),
  close: async () => {},
};

function openDispatcher(overrides: Partial<DispatcherOptions> = {}): Dispatcher {
  dispatcher = new Dispatcher(spy.store, clock, runner, outcomes, options(overrides), (_error, context) => errors.push(context));
  return dispatcher;
}

async function insertCallbacks(...offsets: number[]): Promise<string[]> {
  const jobs = offsets.map((offset) => newJob({ runAt: T0 + offset }, callbackTemplate()));
  for (const job of jobs) await spy.inner.insertJobs([job]);
  return jobs.map((job) => job.id);
}

function claimTimes(): number[] {
  return (spy.calls.get('claimDue') ?? []).map(([request]) => (request as ClaimRequest).now - T0);
}

beforeEach(async () => {
  spy = await openSpyStore();
  clock = new VirtualClock(T0);
  events = new LifecycleEvents();
  outcomes = new OutcomeWriter(spy.store, () => {});
  runs = [];
  pending = new Map();
  errors = [];
});

afterEach(async () => {
  for (const finish of pending.values()) finish({ ok: true, httpStatus: 200 });
  await dispatcher?.drain(0);
  await outcomes.drain();
  await spy.close();
});

describe('Dispatcher', () => {
  it('claims a lead time ahead and starts the job exactly at its run_at, then records its outcome', async () => {
    const fired: LifecycleEvent[] = [];
    events.subscribe((event) => fired.push(event));
    await openDispatcher().start();
    const [id] = await insertCallbacks(1000);
    await clock.advanceTo(T0 + 999);
    expect(claimTimes()).toEqual([990]);
    expect(runs).toEqual([]);
    expect(dispatcher.activeJobIds).toEqual([id]);
    expect(dispatcher.activeJobs).toBe(0);
    await clock.advanceTo(T0 + 1000);
    expect(runs.map((run) => [run.job.id, run.at])).toEqual([[id, T0 + 1000]]);
    expect(fired).toEqual([expect.objectContaining({ type: 'job.fired', lateMs: 0 })]);
    expect(dispatcher.activeJobs).toBe(1);

    await clock.advance(40);
    pending.get(id!)!({ ok: true, httpStatus: 200 });
    await clock.advance(0);
    await outcomes.drain();
    expect(await spy.inner.getJob(id!)).toMatchObject({ status: 'completed', startedAt: T0 + 1000 });
    const [entry] = await spy.inner.listHistory({ jobId: id!, limit: 10 });
    expect(entry).toMatchObject({ outcome: 'succeeded', durationMs: 40 });
  });

  it('asks a runner that prepares for each job it claims ahead, at the claim, before the job runs', async () => {
    const prepared: [string, number][] = [];
    dispatcher = new Dispatcher(spy.store, clock, { ...runner, prepare: (job) => prepared.push([job.id, clock.now()]) }, outcomes, options(), (_error, context) => errors.push(context));
    await dispatcher.start();
    const [id] = await insertCallbacks(1000);
    await clock.advanceTo(T0 + 999);
    expect(prepared).toEqual([[id, T0 + 990]]);
    expect(runs).toEqual([]);
    await clock.advanceTo(T0 + 1000);
    expect(runs.map((run) => run.job.id)).toEqual([id]);
    expect(prepared).toHaveLength(1);
  });

  it('due signals and timers during a store outage add no claims to the retries', async () => {
    spy.failing.add('claimDue');
    await openDispatcher().start();
    await insertCallbacks(50, 60, 70, 80, 90, 300, 600);
    await clock.advanceTo(T0 + 1000);
    expect(claimTimes()).toEqual([40, 165, 415, 915]);
    spy.failing.clear();
    await clock.advanceTo(T0 + 1915);
    expect(claimTimes()).toEqual([40, 165, 415, 915, 1915]);
    expect(runs).toHaveLength(4);
    expect(errors.every((context) => context === 'claiming due jobs')).toBe(true);
  });

  it('a cancel that reaches a held job ends it cancelled without running it', async () => {
    await openDispatcher().start();
    const [id] = await insertCallbacks(1000);
    await clock.advanceTo(T0 + 995);
    dispatcher.abortJobs([id!], 'cancelled');
    await clock.advanceTo(T0 + 2000);
    await outcomes.drain();
    expect(runs).toEqual([]);
    expect(await spy.inner.getJob(id!)).toMatchObject({ status: 'cancelled' });
  });

  it('drain hands held jobs back unrun and lets running ones finish', async () => {
    await openDispatcher().start();
    const [running, held] = await insertCallbacks(100, 5000);
    await clock.advanceTo(T0 + 4995);
    expect(runs.map((run) => run.job.id)).toEqual([running]);
    const drained = dispatcher.drain(60_000);
    await clock.advance(0);
    expect(spy.calls.get('releaseLeases')).toEqual([['node-a', [held], T0 + 4995]]);
    pending.get(running!)!({ ok: true, httpStatus: 200 });
    await drained;
    await outcomes.drain();
    expect(await spy.inner.getJob(running!)).toMatchObject({ status: 'completed' });
    expect(await spy.inner.getJob(held!)).toMatchObject({ status: 'pending' });
  });
});

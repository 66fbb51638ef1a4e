/**
 * The one storage contract suite. Every backend runs these very cases:
 *   runStoreContract('sqlite', () => createSqliteStore({ path: tempFile() }));
 * Each case gets a fresh, isolated store (its own file, schema or key prefix).
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { CALLBACK_QUEUE, DEAD_LETTER_STATUSES, type ClaimedJob } from '../../src/core/types.js';
import { occurrencePlanner } from '../../src/store/planners.js';
import type { DueSignal, JobOutcome, Lane, PlanNext, Store } from '../../src/store/store.js';
import {
  T0,
  callbackTemplate,
  everyPlan,
  firstJob,
  newJob,
  newSchedule,
  noNext,
  taskTemplate,
} from '../support/fixtures.js';
import { dashboardReadCases } from './contract-dashboard-reads.js';
import { jobCountCases } from './contract-job-counts.js';

const CALLBACKS: Lane = { target: 'callback' };
const TASKS: Lane = { target: 'task', queues: ['default'], tasks: ['process_data'] };

function outcome(jobId: string, owner: string, status: JobOutcome['status'], extra: Partial<JobOutcome> = {}): JobOutcome {
  return {
    jobId,
    owner,
    status,
    finishedAt: T0 + 10,
    attempt: { outcome: status === 'completed' ? 'succeeded' : 'failed', firedAt: T0, durationMs: 10, httpStatus: 200, error: null },
    ...extra,
  };
}

async function expectCode(promise: Promise<unknown>, code: string): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ChimeError);
  expect((error as ChimeError).code).toBe(code);
}

export interface ContractOptions {
  /**
   * The store runs planners away from the caller (the SQLite thread): only planners made by
   * occurrencePlanner/modulePlanner, so a case that counts a closure's calls checks the
   * store's effects alone.
   */
  portablePlanners?: boolean;
}

export function runStoreContract(backend: string, createStore: () => Store | Promise<Store>, options: ContractOptions = {}): void {
  describe(`Store contract: ${backend}`, () => {
    let store: Store;

    beforeEach(async () => {
      store = await createStore();
      await store.open();
    });

    afterEach(async () => {
      await store.close();
    });

    dashboardReadCases(() => store);
    jobCountCases(() => store);

    describe('schedules', () => {
      it('creates a schedule with its first occurrence and reads it back by id and name', async () => {
        const schedule = newSchedule({ name: 'task-reminder-1-u1' });
        await store.createSchedule(schedule, firstJob(schedule), 'create');
        const byId = await store.getSchedule(schedule.id);
        const byName = await store.getScheduleByName('task-reminder-1-u1');
        expect(byId).toMatchObject({ id: schedule.id, name: 'task-reminder-1-u1', fireCount: 0, status: 'active' });
        expect(byName?.id).toBe(schedule.id);
        expect(byId?.template).toEqual(schedule.template);
        expect(byId?.recurrence).toEqual(schedule.recurrence);
        const jobs = await store.listJobs({ scheduleId: schedule.id, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(jobs.items).toHaveLength(1);
        expect(jobs.items[0]).toMatchObject({ status: 'pending', occurrence: T0, name: 'task-reminder-1-u1' });
      });

      it('refuses a second live schedule with the same name and writes nothing', async () => {
        const a = newSchedule({ name: 'dup' });
        await store.createSchedule(a, firstJob(a), 'create');
        const b = newSchedule({ name: 'dup' });
        await expectCode(store.createSchedule(b, firstJob(b), 'create'), 'JOB_EXISTS');
        expect(await store.getSchedule(b.id)).toBeNull();
        const jobs = await store.listJobs({ target: 'callback', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(jobs.items.map((j) => j.scheduleId)).toEqual([a.id]);
      });

      it('replaces a schedule and its waiting occurrence in replace mode', async () => {
        const a = newSchedule({ name: 'over' });
        await store.createSchedule(a, firstJob(a), 'create');
        const b = newSchedule({ name: 'over', startAt: T0 + 5000 });
        await store.createSchedule(b, firstJob(b), 'replace');
        expect(await store.getSchedule(a.id)).toBeNull();
        expect((await store.getScheduleByName('over'))?.id).toBe(b.id);
        const jobs = await store.listJobs({ target: 'callback', statuses: ['pending'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(jobs.items.map((j) => j.occurrence)).toEqual([T0 + 5000]);
      });

      it('lets a finished schedule name be reused by create', async () => {
        const a = newSchedule({ name: 'once', recurrence: { kind: 'once' } });
        await store.createSchedule(a, firstJob(a), 'create');
        const [job] = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 1, owner: 'n1', leaseMs: 1000, planNext: noNext });
        await store.recordOutcomes([outcome(job!.id, 'n1', 'completed')]);
        expect((await store.getSchedule(a.id))?.status).toBe('completed');
        const b = newSchedule({ name: 'once', recurrence: { kind: 'once' } });
        await store.createSchedule(b, firstJob(b), 'create');
        expect((await store.getScheduleByName('once'))?.id).toBe(b.id);
      });

      it('lists callback schedules by name prefix with a keyset cursor', async () => {
        for (const name of ['rem-b', 'rem-a', 'other', 'rem-c']) {
          const s = newSchedule({ name });
          await store.createSchedule(s, firstJob(s), 'create');
        }
        const first = await store.listSchedules({ dialects: ['envelope', 'dapr'], namePrefix: 'rem-', limit: 2 });
        expect(first.items.map((s) => s.name)).toEqual(['rem-a', 'rem-b']);
        const second = await store.listSchedules({ dialects: ['envelope', 'dapr'], namePrefix: 'rem-', afterName: 'rem-b', limit: 2 });
        expect(second.items.map((s) => s.name)).toEqual(['rem-c']);
        const counted = await store.listSchedules({ dialects: ['envelope', 'dapr'], limit: 1, countTotal: true });
        expect(counted.total).toBe(4);
      });

      it('updates a schedule and swaps its waiting occurrence atomically', async () => {
        const s = newSchedule();
        await store.createSchedule(s, firstJob(s), 'create');
        const replacement = firstJob(s, T0 + 60_000);
        const updated = await store.updateSchedule(s.id, {
          status: 'active',
          patch: { recurrence: { kind: 'every', everyMs: 60_000 } },
          nextOccurrence: replacement,
          updatedAt: T0 + 1,
        });
        expect(updated).toMatchObject({ nextRunAt: T0 + 60_000, recurrence: { kind: 'every', everyMs: 60_000 } });
        const jobs = await store.listJobs({ scheduleId: s.id, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(jobs.items.map((j) => j.occurrence)).toEqual([T0 + 60_000]);
        const paused = await store.updateSchedule(s.id, { status: 'paused', nextOccurrence: null, updatedAt: T0 + 2 });
        expect(paused).toMatchObject({ status: 'paused', nextRunAt: null });
        expect((await store.listJobs({ scheduleId: s.id, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(0);
        expect(await store.updateSchedule('missing', { nextOccurrence: null, updatedAt: T0 })).toBeNull();
      });

      it('deletes a schedule with its waiting occurrences', async () => {
        const s = newSchedule();
        await store.createSchedule(s, firstJob(s), 'create');
        expect(await store.deleteSchedule(s.id)).toBe(true);
        expect(await store.getSchedule(s.id)).toBeNull();
        expect((await store.claimDue({ lane: CALLBACKS, now: T0 + 10_000, limit: 10, owner: 'n1', leaseMs: 1000, planNext: everyPlan }))).toEqual([]);
        expect(await store.deleteSchedule(s.id)).toBe(false);
      });
    });

    describe('jobs', () => {
      it('inserts jobs and reads them back unchanged', async () => {
        const job = newJob({ tags: ['data', 'processing'], metadata: '{"source":"api"}', priority: 'high' });
        await store.insertJobs([job]);
        const read = await store.getJob(job.id);
        expect(read).toMatchObject({
          id: job.id,
          status: 'pending',
          attempts: 0,
          priority: 'high',
          tags: ['data', 'processing'],
          metadata: '{"source":"api"}',
          payload: job.payload,
          failurePolicy: job.failurePolicy,
          cancelRequested: false,
        });
        expect(await store.getJob('nope')).toBeNull();
      });

      it('inserts all or none: a duplicate id fails the whole batch', async () => {
        const existing = newJob();
        await store.insertJobs([existing]);
        const fresh = newJob();
        await expectCode(store.insertJobs([fresh, newJob({ id: existing.id })]), 'JOB_EXISTS');
        expect(await store.getJob(fresh.id)).toBeNull();
      });

      // SQLite writes a batch 32 rows a statement (rows.ts INSERT_CHUNK_ROWS), the rest one by one.
      it('inserts batches of every size around a statement of many rows, each job as given', async () => {
        for (const size of [31, 32, 33, 65]) {
          const jobs = Array.from({ length: size }, (_, i) => newJob({ payload: `{"size":${size},"i":${i}}`, runAt: T0 + i, tags: [`t${i}`] }));
          await store.insertJobs(jobs);
          for (const job of jobs) {
            expect(await store.getJob(job.id)).toMatchObject({ id: job.id, payload: job.payload, runAt: job.runAt, tags: job.tags, status: 'pending' });
          }
        }
      });

      it('names the taken id when it is deep in a large batch, and inserts none of the batch', async () => {
        const existing = newJob();
        await store.insertJobs([existing]);
        const jobs = Array.from({ length: 70 }, () => newJob());
        jobs[40] = newJob({ id: existing.id });
        const error = await store.insertJobs(jobs).then(() => undefined, (e: unknown) => e);
        expect(error).toBeInstanceOf(ChimeError);
        expect((error as ChimeError).code).toBe('JOB_EXISTS');
        expect((error as ChimeError).message).toContain(existing.id);
        for (const job of jobs.filter((_, i) => i !== 40)) expect(await store.getJob(job.id)).toBeNull();

        const twice = Array.from({ length: 40 }, () => newJob());
        twice[9] = newJob({ id: twice[3]!.id });
        await expectCode(store.insertJobs(twice), 'JOB_EXISTS');
        for (const job of twice) expect(await store.getJob(job.id)).toBeNull();
      });

      it('filters, orders and counts job listings', async () => {
        await store.insertJobs([
          newJob({ priority: 'low', tags: ['a'], createdAt: T0 + 1 }),
          newJob({ priority: 'high', tags: ['a', 'b'], createdAt: T0 + 2 }),
          newJob({ priority: 'high', queue: 'reports', createdAt: T0 + 3 }),
        ]);
        const high = await store.listJobs({ priority: 'high', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(high.total).toBe(2);
        expect(high.items.map((j) => j.createdAt)).toEqual([T0 + 2, T0 + 3]);
        const tagged = await store.listJobs({ tags: ['a', 'b'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
        expect(tagged.items.map((j) => j.tags)).toEqual([['a', 'b']]);
        const page = await store.listJobs({ limit: 1, offset: 1, orderBy: 'created_at', orderDir: 'desc' });
        expect(page.total).toBe(3);
        expect(page.items[0]?.createdAt).toBe(T0 + 2);
        const reports = await store.listJobs({ queue: 'reports', statuses: ['pending', 'running'], limit: 10, offset: 0, orderBy: 'priority', orderDir: 'asc' });
        expect(reports.total).toBe(1);
      });

      it('filters job listings by dialect, whatever the target', async () => {
        const task = newJob({ createdAt: T0 + 1 });
        const httpTarget = newJob({ createdAt: T0 + 2, runAt: T0 + 60_000 }, callbackTemplate());
        const dapr = newJob({ createdAt: T0 + 3, dialect: 'dapr' }, callbackTemplate());
        await store.insertJobs([task, httpTarget, dapr]);
        const v1 = await store.listJobs({ dialect: 'v1', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
        expect(v1.total).toBe(2);
        expect(v1.items.map((j) => j.id)).toEqual([httpTarget.id, task.id]);
        const pending = await store.listJobs({ dialect: 'v1', statuses: ['pending'], queue: CALLBACK_QUEUE, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(pending.items.map((j) => j.id)).toEqual([httpTarget.id]);
        const daprOnly = await store.listJobs({ dialect: 'dapr', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
        expect(daprOnly.items.map((j) => j.id)).toEqual([dapr.id]);
        // A deleted job leaves the dialect's listing too.
        await store.claimDue({ lane: CALLBACKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(dapr.id, 'w1', 'completed')]);
        expect(await store.deleteFinishedJob(dapr.id)).toBe(true);
        const gone = await store.listJobs({ dialect: 'dapr', limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'desc' });
        expect(gone).toMatchObject({ total: 0, items: [] });
      });
    });

    describe('claiming', () => {
      it('peeks due times in order within the horizon, per lane', async () => {
        await store.insertJobs([
          newJob({ runAt: T0 + 300 }),
          newJob({ runAt: T0 + 100, priority: 'low' }),
          newJob({ runAt: T0 + 200, priority: 'critical' }),
          newJob({ runAt: T0 + 50_000 }),
          newJob({ runAt: T0 + 150, queue: 'other' }),
        ]);
        expect(await store.peekDueTimes(TASKS, T0 + 1000, 10)).toEqual([T0 + 100, T0 + 200, T0 + 300]);
        expect(await store.peekDueTimes(TASKS, T0 + 1000, 2)).toEqual([T0 + 100, T0 + 200]);
        expect(await store.peekDueTimes(CALLBACKS, T0 + 1000, 10)).toEqual([]);
        // Only times after `after` (exclusive): what follows a burst already due.
        expect(await store.peekDueTimes(TASKS, T0 + 1000, 10, T0 + 100)).toEqual([T0 + 200, T0 + 300]);
        expect(await store.peekDueTimes(TASKS, T0 + 1000, 1, T0 + 150)).toEqual([T0 + 200]);
      });

      it('claims only due jobs, by priority then due time, up to the limit, under a lease', async () => {
        const low = newJob({ runAt: T0 - 300, priority: 'low' });
        const critical = newJob({ runAt: T0 - 100, priority: 'critical' });
        const normalEarly = newJob({ runAt: T0 - 200 });
        const future = newJob({ runAt: T0 + 1 });
        await store.insertJobs([low, critical, normalEarly, future]);
        const claimed = await store.claimDue({ lane: TASKS, now: T0, limit: 2, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(claimed.map((j) => j.id)).toEqual([critical.id, normalEarly.id]);
        expect(claimed[0]).toMatchObject({ status: 'running', attempts: 1, leaseOwner: 'w1', leaseUntil: T0 + 5000, deliver: true, startedAt: T0 });
        const rest = await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w2', leaseMs: 5000, planNext: noNext });
        expect(rest.map((j) => j.id)).toEqual([low.id]);
        expect(await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w2', leaseMs: 5000, planNext: noNext })).toEqual([]);
      });

      it('claims ahead up to dueBy, never beyond', async () => {
        const soon = newJob({ runAt: T0 + 5 });
        const later = newJob({ runAt: T0 + 20 });
        await store.insertJobs([soon, later]);
        const claimed = await store.claimDue({ lane: TASKS, now: T0, dueBy: T0 + 10, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext, as: 'reserved' });
        expect(claimed.map((j) => j.id)).toEqual([soon.id]);
        expect(claimed[0]).toMatchObject({ status: 'reserved', runAt: T0 + 5 });
      });

      it('never hands one job to two concurrent claimers', async () => {
        const jobs = Array.from({ length: 200 }, (_, i) => newJob({ runAt: T0 - i }));
        await store.insertJobs(jobs);
        const claims = await Promise.all(
          Array.from({ length: 8 }, (_, i) =>
            store.claimDue({ lane: TASKS, now: T0, limit: 40, owner: `w${i}`, leaseMs: 5000, planNext: noNext }),
          ),
        );
        const ids = claims.flat().map((j) => j.id);
        expect(ids).toHaveLength(200);
        expect(new Set(ids).size).toBe(200);
      });

      it('only claims tasks the claimer can run', async () => {
        const other = newJob({ taskName: 'other_task' });
        const mine = newJob();
        await store.insertJobs([other, mine]);
        const claimed = await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(claimed.map((j) => j.id)).toEqual([mine.id]);
      });

      it("keeps a job's traceparent, and stamps a schedule's onto every occurrence", async () => {
        const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
        const plain = newJob();
        const traced = newJob({ traceparent });
        await store.insertJobs([plain, traced]);
        expect((await store.getJob(plain.id))?.traceparent).toBeNull();
        expect((await store.getJob(traced.id))?.traceparent).toBe(traceparent);
        const s = newSchedule({ template: callbackTemplate({ traceparent }) });
        await store.createSchedule(s, { ...firstJob(s), traceparent }, 'create');
        const [first] = await store.claimDue({ lane: CALLBACKS, now: T0 + 2, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        expect(first?.traceparent).toBe(traceparent);
        const next = await store.listJobs({ scheduleId: s.id, statuses: ['pending'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(next.items.map((j) => j.traceparent)).toEqual([traceparent]);
      });

      it('materialises the next occurrence in the same step as the claim', async () => {
        const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 }, repeats: 3 });
        await store.createSchedule(s, firstJob(s), 'create');
        const [first] = await store.claimDue({ lane: CALLBACKS, now: T0 + 2, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        expect(first).toMatchObject({ occurrence: T0, deliver: true });
        const after = await store.getSchedule(s.id);
        expect(after).toMatchObject({ fireCount: 1, lastOccurrence: T0, lastRunAt: T0 + 2, nextRunAt: T0 + 1000 });
        const waiting = await store.listJobs({ scheduleId: s.id, statuses: ['pending'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(waiting.items.map((j) => j.occurrence)).toEqual([T0 + 1000]);
        // Second and third occurrences; the third is the last (repeats: 3).
        await store.claimDue({ lane: CALLBACKS, now: T0 + 1000, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        const [third] = await store.claimDue({ lane: CALLBACKS, now: T0 + 2000, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        expect(third?.occurrence).toBe(T0 + 2000);
        expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 3, nextRunAt: null, status: 'active' });
        expect(await store.claimDue({ lane: CALLBACKS, now: T0 + 10_000, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan })).toEqual([]);
      });

      it('advances a schedule once per occurrence, even when the occurrence is claimed again', async () => {
        const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
        await store.createSchedule(s, firstJob(s), 'create');
        let plans = 0;
        const counting: PlanNext = options.portablePlanners
          ? everyPlan
          : (schedule, occurrence, now) => {
              plans++;
              return everyPlan(schedule, occurrence, now);
            };
        const [job] = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 1, owner: 'n1', leaseMs: 100, planNext: counting });
        // The lease dies; the reaper hands the occurrence back and it is claimed again.
        await store.reapExpiredLeases({ now: T0 + 200, limit: 10 });
        const again = await store.claimDue({ lane: CALLBACKS, now: T0 + 200, limit: 1, owner: 'n2', leaseMs: 100, planNext: counting });
        expect(again[0]?.id).toBe(job!.id);
        expect(again[0]?.attempts).toBe(2);
        if (!options.portablePlanners) expect(plans).toBe(1);
        expect((await store.getSchedule(s.id))?.fireCount).toBe(1);
        expect((await store.listJobs({ scheduleId: s.id, limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(2);
      });

      it('returns skipped occurrences undelivered and does not count them', async () => {
        const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 }, missedFire: 'skip' });
        await store.createSchedule(s, firstJob(s), 'create');
        const [job] = await store.claimDue({
          lane: CALLBACKS,
          now: T0 + 60_000,
          limit: 1,
          owner: 'n1',
          leaseMs: 1000,
          // Missed by 60 s against a 1 s threshold, policy skip: not delivered; next after now.
          planNext: occurrencePlanner(1000),
        });
        expect(job?.deliver).toBe(false);
        expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 0, lastRunAt: null, nextRunAt: T0 + 61_000 });
      });
    });

    describe('per-job delivery', () => {
      const delivery = {
        target: { url: 'https://hooks.example.com/in?x=1', method: 'PUT' as const, headers: { 'x-key': 'k' }, body: 'raw' as const },
        onFailure: 'https://hooks.example.com/failed',
        onSuccess: null,
      };

      it('keeps a job\'s delivery spec, and null when it has none', async () => {
        const withSpec = newJob({}, callbackTemplate({ delivery, timeoutMs: 1500 }));
        const without = newJob({}, callbackTemplate());
        await store.insertJobs([withSpec, without]);
        expect(await store.getJob(withSpec.id)).toMatchObject({ delivery, timeoutMs: 1500 });
        expect((await store.getJob(without.id))?.delivery).toBeNull();
        const claimed = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 10, owner: 'n1', leaseMs: 5000, planNext: noNext });
        expect(claimed.find((j) => j.id === withSpec.id)?.delivery).toEqual(delivery);
        expect(claimed.find((j) => j.id === without.id)?.delivery).toBeNull();
      });

      it('carries a schedule\'s delivery spec to every occurrence', async () => {
        const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 }, repeats: 3, template: callbackTemplate({ delivery }) });
        await store.createSchedule(s, firstJob(s), 'create');
        expect((await store.getSchedule(s.id))?.template.delivery).toEqual(delivery);
        const [first] = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        const [second] = await store.claimDue({ lane: CALLBACKS, now: T0 + 1000, limit: 10, owner: 'n1', leaseMs: 5000, planNext: everyPlan });
        expect(first?.delivery).toEqual(delivery);
        expect(second).toMatchObject({ occurrence: T0 + 1000, delivery });
      });

      it('keeps the first bytes of the app\'s answer in the history', async () => {
        const job = newJob({}, callbackTemplate());
        await store.insertJobs([job]);
        await store.claimDue({ lane: CALLBACKS, now: T0, limit: 1, owner: 'n1', leaseMs: 5000, planNext: noNext });
        const attempt = { outcome: 'retrying' as const, firedAt: T0, durationMs: 5, httpStatus: 429, error: 'app answered HTTP 429', response: '{"slow":"down"}' };
        await store.recordOutcomes([outcome(job.id, 'n1', 'retrying', { retryAt: T0 + 2000, attempt })]);
        await store.claimDue({ lane: CALLBACKS, now: T0 + 2000, limit: 1, owner: 'n1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(job.id, 'n1', 'completed')]);
        const history = await store.listHistory({ jobId: job.id, limit: 10 });
        expect(history.map((h) => [h.httpStatus, h.response])).toEqual([[200, null], [429, '{"slow":"down"}']]);
      });
    });

    describe('outcomes and leases', () => {
      it('completes a job and writes its history', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(job.id, 'w1', 'completed', { result: '{"processed":42}' })]);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'completed', result: '{"processed":42}', completedAt: T0 + 10, leaseOwner: null });
        const history = await store.listHistory({ jobId: job.id, limit: 10 });
        expect(history).toHaveLength(1);
        expect(history[0]).toMatchObject({ jobId: job.id, attempt: 1, outcome: 'succeeded', httpStatus: 200, durationMs: 10, firedAt: T0 });
      });

      it('takes back leases of dead holders before they run out, and only theirs', async () => {
        const jobs = [newJob(), newJob(), newJob()];
        await store.insertJobs(jobs);
        for (const [i, owner] of ['dead', 'live', 'other'].entries()) {
          await store.claimDue({ lane: TASKS, now: T0 + i, limit: 1, owner, leaseMs: 60_000, planNext: noNext });
        }
        const held = async () => {
          const page = await store.listJobs({ statuses: ['reserved', 'running'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
          return page.items.map((j) => j.leaseOwner).sort();
        };
        expect(await store.reapExpiredLeases({ now: T0 + 10, limit: 10 })).toEqual([]);
        const own = await store.reapExpiredLeases({ now: T0 + 10, limit: 10, takeBack: { owners: ['dead'] } });
        expect(own).toEqual([expect.objectContaining({ previousOwner: 'dead', status: 'pending' })]);
        expect(await held()).toEqual(['live', 'other']);
        const allBut = await store.reapExpiredLeases({ now: T0 + 10, limit: 10, takeBack: { allExcept: ['live'] } });
        expect(allBut.map((r) => r.previousOwner)).toEqual(['other']);
        expect(await held()).toEqual(['live']);
      });

      it('writes no history entry for an outcome without an attempt', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        const { attempt: _attempt, ...bare } = outcome(job.id, 'w1', 'completed', { result: '1' });
        await store.recordOutcomes([bare]);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'completed', result: '1', completedAt: T0 + 10 });
        expect(await store.listHistory({ jobId: job.id, limit: 10 })).toEqual([]);
      });

      it('re-queues a retrying job at its retry time', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([
          outcome(job.id, 'w1', 'retrying', { retryAt: T0 + 1000, error: { message: 'boom', type: 'Error', traceback: null } }),
        ]);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'retrying', runAt: T0 + 1000, completedAt: null });
        expect(await store.claimDue({ lane: TASKS, now: T0 + 999, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext })).toEqual([]);
        const [again] = await store.claimDue({ lane: TASKS, now: T0 + 1000, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(again).toMatchObject({ id: job.id, attempts: 2 });
      });

      it('ignores an outcome from a worker that lost the lease', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 100, planNext: noNext });
        await store.reapExpiredLeases({ now: T0 + 101, limit: 10 });
        await store.claimDue({ lane: TASKS, now: T0 + 101, limit: 1, owner: 'w2', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(job.id, 'w1', 'completed')]);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'running', leaseOwner: 'w2' });
      });

      it('extends only the leases the owner still holds', async () => {
        const a = newJob();
        const b = newJob();
        await store.insertJobs([a, b]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 1000, planNext: noNext });
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w2', leaseMs: 1000, planNext: noNext });
        const held = await store.extendLeases('w1', [a.id, b.id], T0 + 9000);
        expect(held).toEqual([a.id]);
        expect((await store.getJob(a.id))?.leaseUntil).toBe(T0 + 9000);
        expect((await store.getJob(b.id))?.leaseUntil).toBe(T0 + 1000);
      });

      it('releases held jobs unrun without counting the attempt', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.releaseLeases('w2', [job.id], T0 + 5);
        expect((await store.getJob(job.id))?.status).toBe('running');
        await store.releaseLeases('w1', [job.id], T0 + 5);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 0, runAt: T0 + 5, leaseOwner: null });
        const [again] = await store.claimDue({ lane: TASKS, now: T0 + 5, limit: 1, owner: 'w3', leaseMs: 5000, planNext: noNext });
        expect(again).toMatchObject({ id: job.id, attempts: 1 });
      });

      it('reaps dead leases: back to pending while retries remain, failed after', async () => {
        const job = newJob({ failurePolicy: { kind: 'constant', intervalMs: 0, maxRetries: 1 } });
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 100, planNext: noNext });
        expect(await store.reapExpiredLeases({ now: T0 + 100, limit: 10 })).toEqual([]);
        expect(await store.reapExpiredLeases({ now: T0 + 101, limit: 10 })).toEqual([
          { jobId: job.id, previousOwner: 'w1', status: 'pending' },
        ]);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'pending', attempts: 1, leaseOwner: null });
        await store.claimDue({ lane: TASKS, now: T0 + 101, limit: 1, owner: 'w2', leaseMs: 100, planNext: noNext });
        const reaped = await store.reapExpiredLeases({ now: T0 + 300, limit: 10 });
        expect(reaped).toEqual([{ jobId: job.id, previousOwner: 'w2', status: 'failed' }]);
        const history = await store.listHistory({ jobId: job.id, limit: 10 });
        expect(history.map((h) => h.outcome)).toEqual(['lease_expired', 'lease_expired']);
      });

      it('ends a schedule when its last occurrence ends', async () => {
        const ok = newSchedule({ recurrence: { kind: 'once' } });
        const bad = newSchedule({ recurrence: { kind: 'once' } });
        await store.createSchedule(ok, firstJob(ok), 'create');
        await store.createSchedule(bad, firstJob(bad), 'create');
        const claimed = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 2, owner: 'n1', leaseMs: 1000, planNext: noNext });
        const byId = new Map(claimed.map((j) => [j.scheduleId, j.id]));
        await store.recordOutcomes([
          outcome(byId.get(ok.id)!, 'n1', 'completed'),
          outcome(byId.get(bad.id)!, 'n1', 'failed'),
        ]);
        expect((await store.getSchedule(ok.id))?.status).toBe('completed');
        expect((await store.getSchedule(bad.id))?.status).toBe('failed');
      });
    });

    describe('cancel and retry', () => {
      it('cancels a waiting job at once and a running one by request', async () => {
        const waiting = newJob({ runAt: T0 + 10_000 });
        const running = newJob();
        await store.insertJobs([waiting, running]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(await store.cancelJob(waiting.id, 'user asked', T0, noNext)).toMatchObject({
          status: 'cancelled',
          error: { message: 'user asked', type: 'Cancelled' },
        });
        expect(await store.cancelJob(running.id, null, T0, noNext)).toMatchObject({ status: 'running', cancelRequested: true });
        expect(await store.cancelRequested([running.id, waiting.id])).toEqual([running.id]);
        await expectCode(store.cancelJob(waiting.id, null, T0, noNext), 'INVALID_STATE');
        expect(await store.cancelJob('missing', null, T0, noNext)).toBeNull();
      });

      it('keeps a schedule going when one waiting occurrence is cancelled', async () => {
        const s = newSchedule({ recurrence: { kind: 'every', everyMs: 1000 } });
        await store.createSchedule(s, firstJob(s), 'create');
        const [waiting] = (await store.listJobs({ scheduleId: s.id, limit: 1, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).items;
        await store.cancelJob(waiting!.id, null, T0 - 10, everyPlan);
        const pending = await store.listJobs({ scheduleId: s.id, statuses: ['pending'], limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(pending.items.map((j) => j.occurrence)).toEqual([T0 + 1000]);
        expect(await store.getSchedule(s.id)).toMatchObject({ fireCount: 0, status: 'active' });
      });

      it('retries a failed job with a fresh attempt budget, and refuses a pending one', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(job.id, 'w1', 'failed', { error: { message: 'x', type: 'Error', traceback: null } })]);
        expect(await store.retryJob(job.id, T0 + 50)).toMatchObject({ status: 'pending', attempts: 0, runAt: T0 + 50, error: null });
        await expectCode(store.retryJob(job.id, T0 + 60), 'INVALID_STATE');
        expect(await store.retryJob('missing', T0)).toBeNull();
      });

      it('deletes a finished job with its history, and leaves an unfinished one', async () => {
        const done = newJob();
        const waiting = newJob({ runAt: T0 + 60_000 });
        await store.insertJobs([done, waiting]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        const attempt = { outcome: 'failed' as const, firedAt: T0, durationMs: 5, httpStatus: 500, error: 'boom' };
        await store.recordOutcomes([outcome(done.id, 'w1', 'failed', { error: { message: 'boom', type: 'Error', traceback: null }, attempt })]);
        expect(await store.listHistory({ jobId: done.id, limit: 10 })).toHaveLength(1);
        expect(await store.deleteFinishedJob(waiting.id)).toBe(false);
        expect(await store.getJob(waiting.id)).not.toBeNull();
        expect(await store.deleteFinishedJob(done.id)).toBe(true);
        expect(await store.getJob(done.id)).toBeNull();
        expect(await store.listHistory({ jobId: done.id, limit: 10 })).toEqual([]);
        expect(await store.deleteFinishedJob(done.id)).toBe(false);
      });
    });

    describe('queues', () => {
      it('lists queues with their size, running count, pause state and limit', async () => {
        await store.insertJobs([newJob(), newJob(), newJob({ queue: 'reports' }), newJob({ runAt: T0 + 60_000 })]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.setQueueConcurrency('reports', 2, T0);
        await store.setQueuePaused('idle', true, T0);
        const queues = await store.listQueues();
        const byName = new Map(queues.map((q) => [q.name, q]));
        expect(byName.get('default')).toEqual({ name: 'default', size: 2, running: 1, isPaused: false, concurrency: null });
        expect(byName.get('reports')).toEqual({ name: 'reports', size: 1, running: 0, isPaused: false, concurrency: 2 });
        expect(byName.get('idle')).toEqual({ name: 'idle', size: 0, running: 0, isPaused: true, concurrency: null });
        expect(byName.has(CALLBACK_QUEUE)).toBe(false);
      });

      it('counts live jobs per queue, callbacks included, and dead letters, failed or timed out (jobCounts)', async () => {
        expect(await store.jobCounts()).toEqual({ queues: [], deadLetters: 0 });
        await store.insertJobs([newJob(), newJob(), newJob({ queue: 'reports', runAt: T0 + 60_000 }), ...Array.from({ length: 4 }, () => newJob({}, callbackTemplate()))]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        const claimed = await store.claimDue({ lane: CALLBACKS, now: T0, limit: 3, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(claimed).toHaveLength(3);
        const [failed, timedOut, completed] = claimed.map((job) => job.id);
        await store.recordOutcomes([
          outcome(failed!, 'w1', 'failed', { error: { message: 'HTTP 500', type: 'HttpError', traceback: null } }),
          outcome(timedOut!, 'w1', 'timeout', { error: { message: 'timed out after 30000 ms', type: 'Timeout', traceback: null } }),
          outcome(completed!, 'w1', 'completed'),
        ]);
        // A failed or timed-out task job is not a dead letter: only callbacks are dead-lettered.
        const task = (await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext }))[0]!;
        await store.recordOutcomes([outcome(task.id, 'w1', 'failed')]);
        await store.insertJobs([newJob()]);
        const slow = (await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext }))[0]!;
        await store.recordOutcomes([outcome(slow.id, 'w1', 'timeout')]);
        const counts = await store.jobCounts();
        expect(counts).toEqual({
          queues: [
            { queue: CALLBACK_QUEUE, waiting: 1, claimed: 0 },
            { queue: 'default', waiting: 0, claimed: 1 },
            { queue: 'reports', waiting: 1, claimed: 0 },
          ],
          deadLetters: 2,
        });
        // The same jobs the dead-letter list shows (`GET /v1.0/dead-letters`).
        const listed = await store.listJobs({ target: 'callback', statuses: [...DEAD_LETTER_STATUSES], limit: 10, offset: 0, orderBy: 'completed_at', orderDir: 'desc' });
        expect(listed.total).toBe(counts.deadLetters);
        expect(listed.items.map((job) => job.id).sort()).toEqual([failed, timedOut].sort());
      });

      it('claims nothing from a paused queue and everything again once resumed', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.setQueuePaused('default', true, T0);
        expect(await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext })).toEqual([]);
        expect(await store.peekDueTimes(TASKS, T0 + 1000, 10)).toEqual([]);
        expect((await store.getJob(job.id))?.status).toBe('pending');
        const seen: (DueSignal | null)[] = [];
        const unsubscribe = store.onDue((signal) => seen.push(signal));
        await store.setQueuePaused('default', false, T0);
        await new Promise((resolve) => setTimeout(resolve, 50));
        unsubscribe();
        expect(seen.some((signal) => signal === null || (signal.queue === 'default' && signal.runAt <= T0))).toBe(true);
        const claimed = await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(claimed.map((j) => j.id)).toEqual([job.id]);
      });

      it("signals a limited queue's freed place when an outcome is written, and no unlimited queue's", async () => {
        const [limited, free] = [newJob({ runAt: T0 - 1 }), newJob({ queue: 'other', runAt: T0 - 1 })];
        await store.insertJobs([limited, free, newJob()]);
        await store.setQueueConcurrency('default', 1, T0);
        await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.claimDue({ lane: { target: 'task', queues: ['other'], tasks: ['process_data'] }, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        const seen: (DueSignal | null)[] = [];
        const unsubscribe = store.onDue((signal) => seen.push(signal));
        // The store hands a write's signals to its listeners before the write resolves.
        await store.recordOutcomes([
          outcome(limited.id, 'w1', 'completed', { finishedAt: T0 + 20 }),
          outcome(free.id, 'w1', 'completed', { finishedAt: T0 + 30 }),
        ]);
        unsubscribe();
        // Due at the job's end or the batch's (backends differ), never before the place freed.
        const freed = seen.filter((signal) => signal?.queue === 'default');
        expect(freed.length).toBeGreaterThan(0);
        for (const signal of freed) expect(signal).toMatchObject({ target: 'task', runAt: expect.toSatisfy((at: number) => at >= T0 + 20 && at <= T0 + 30) });
        expect(seen.filter((signal) => signal?.queue === 'other')).toEqual([]);
      });

      it('holds a queue to its concurrency limit across claimers', async () => {
        await store.insertJobs(Array.from({ length: 5 }, (_, i) => newJob({ runAt: T0 - i })));
        await store.setQueueConcurrency('default', 2, T0);
        const first = await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(first).toHaveLength(2);
        expect(await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w2', leaseMs: 5000, planNext: noNext })).toEqual([]);
        await store.recordOutcomes([outcome(first[0]!.id, 'w1', 'completed')]);
        expect(await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w2', leaseMs: 5000, planNext: noNext })).toHaveLength(1);
        await store.setQueueConcurrency('default', null, T0);
        expect(await store.claimDue({ lane: TASKS, now: T0, limit: 10, owner: 'w2', leaseMs: 5000, planNext: noNext })).toHaveLength(2);
      });

      it('fills a lane of a limited and an unlimited queue in run order, the limit set after claims without one', async () => {
        const lane: Lane = { target: 'task', queues: ['default', 'other'], tasks: ['process_data'] };
        const claim = (owner: string, limit = 10) => store.claimDue({ lane, now: T0, limit, owner, leaseMs: 5000, planNext: noNext });
        const early = newJob({ queue: 'other', runAt: T0 - 100 });
        await store.insertJobs([early]);
        // A claim before any limit exists (a store may remember the lane as unlimited).
        expect((await claim('w0')).map((job) => job.id)).toEqual([early.id]);
        await store.insertJobs([
          ...Array.from({ length: 4 }, (_, i) => newJob({ queue: 'default', runAt: T0 - 50 + i })),
          ...Array.from({ length: 3 }, (_, i) => newJob({ queue: 'other', runAt: T0 - 40 + i })),
        ]);
        await store.setQueueConcurrency('default', 2, T0);
        const queueAndRunAt = (jobs: readonly ClaimedJob[]) => jobs.map((job) => [job.queue, job.runAt]);
        expect(queueAndRunAt(await claim('w1', 3))).toEqual([['default', T0 - 50], ['default', T0 - 49], ['other', T0 - 40]]);
        expect(queueAndRunAt(await claim('w2'))).toEqual([['other', T0 - 39], ['other', T0 - 38]]);
        expect(await claim('w3')).toEqual([]);
        await store.setQueueConcurrency('default', null, T0);
        expect(queueAndRunAt(await claim('w4'))).toEqual([['default', T0 - 48], ['default', T0 - 47]]);
      });

      it('clears only the waiting jobs of one queue and counts them, keeping schedules going', async () => {
        const running = newJob({ runAt: T0 - 1 });
        await store.insertJobs([running, newJob(), newJob({ runAt: T0 + 5000 }), newJob({ queue: 'other' })]);
        const s = newSchedule({ template: taskTemplate() });
        await store.createSchedule(s, firstJob(s, T0 + 60_000), 'create');
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(await store.clearQueue('default')).toBe(2);
        expect(await store.clearQueue('default')).toBe(0);
        expect((await store.getJob(running.id))?.status).toBe('running');
        const left = await store.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
        expect(left.items.map((j) => j.queue).sort()).toEqual(['default', 'default', 'other']);
        expect(left.items.filter((j) => j.scheduleId === s.id)).toHaveLength(1);
      });

      it('claims reserved jobs and starts them later', async () => {
        const job = newJob();
        await store.insertJobs([job]);
        const [reserved] = await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext, as: 'reserved' });
        expect(reserved).toMatchObject({ status: 'reserved', startedAt: null, attempts: 1 });
        await store.startJobs('w1', [job.id], T0 + 7);
        expect(await store.getJob(job.id)).toMatchObject({ status: 'running', startedAt: T0 + 7 });
      });

      it("forgets a retried job's last start when it is claimed reserved again", async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(await store.getJob(job.id)).toMatchObject({ status: 'running', startedAt: T0 });
        await store.recordOutcomes([outcome(job.id, 'w1', 'retrying', { retryAt: T0 + 10, finishedAt: T0 + 5 })]);
        const [again] = await store.claimDue({ lane: TASKS, now: T0 + 10, limit: 1, owner: 'w2', leaseMs: 5000, planNext: noNext, as: 'reserved' });
        expect(again).toMatchObject({ status: 'reserved', startedAt: null, attempts: 2 });
        expect(await store.getJob(job.id)).toMatchObject({ status: 'reserved', startedAt: null, leaseOwner: 'w2' });
      });

      it('hands out each claimed job exactly as the store then holds it, first attempt or retried, running or reserved', async () => {
        const jobs = [newJob(), newJob(), newJob({ runAt: T0 - 5 })];
        await store.insertJobs(jobs);
        const asHeld = async (claimed: readonly { id: string }[]) => {
          for (const job of claimed) expect(job).toEqual({ ...(await store.getJob(job.id)), deliver: true });
        };
        const running = await store.claimDue({ lane: TASKS, now: T0, limit: 2, owner: 'w1', leaseMs: 5000, planNext: noNext });
        expect(running).toHaveLength(2);
        await asHeld(running);
        const reserved = await store.claimDue({ lane: TASKS, now: T0, limit: 5, owner: 'w2', leaseMs: 7000, planNext: noNext, as: 'reserved' });
        expect(reserved).toHaveLength(1);
        await asHeld(reserved);
        await store.recordOutcomes(running.map((job) => outcome(job.id, 'w1', 'retrying', { retryAt: T0 + 20, finishedAt: T0 + 9 })));
        const retried = await store.claimDue({ lane: TASKS, now: T0 + 20, limit: 5, owner: 'w3', leaseMs: 9000, planNext: noNext, as: 'reserved' });
        expect(retried.map((job) => job.attempts)).toEqual([2, 2]);
        await asHeld(retried);
      });

      it("records a task's success without a history entry: its start, result and end on the job", async () => {
        const job = newJob();
        await store.insertJobs([job]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext, as: 'reserved' });
        const { attempt: _none, ...success } = outcome(job.id, 'w1', 'completed', { startedAt: T0 + 3, finishedAt: T0 + 9, result: '42' });
        await store.recordOutcomes([success]);
        expect(await store.getJob(job.id)).toMatchObject({
          status: 'completed', startedAt: T0 + 3, completedAt: T0 + 9, result: '42', leaseOwner: null, leaseUntil: null, attempts: 1,
        });
        expect(await store.listHistory({ jobId: job.id, limit: 10 })).toEqual([]);
        const busy = (await store.jobCounts()).queues.filter((q) => q.waiting > 0 || q.claimed > 0);
        expect(busy).toEqual([]);
      });
    });

    describe('tasks, workers, stats', () => {
      const task = {
        name: 'process_data',
        version: '1.0',
        description: 'Process data',
        queue: 'default',
        timeoutMs: 300_000,
        maxRetries: 3,
        retryDelayMs: 60_000,
        isAsync: true,
      };

      it('registers task versions and finds them by name and version', async () => {
        await store.registerTasks([task, { ...task, name: 'generate_report', queue: 'reports' }], T0);
        await store.registerTasks([{ ...task, version: '2.0', description: 'v2' }], T0 + 10);
        await store.registerTasks([{ ...task, description: 'Process data, again' }], T0 + 20);
        expect(await store.getTask('process_data', '1.0')).toMatchObject({ description: 'Process data, again', registeredAt: T0, lastSeenAt: T0 + 20 });
        expect(await store.getTask('process_data')).toMatchObject({ version: '2.0' });
        expect(await store.getTask('process_data', '3.0')).toBeNull();
        expect(await store.getTask('missing')).toBeNull();
        const all = await store.listTasks();
        expect(all.map((t) => `${t.name}@${t.version}`).sort()).toEqual(['generate_report@1.0', 'process_data@1.0', 'process_data@2.0']);
      });

      it('saves and lists worker heartbeats', async () => {
        const worker = { id: 'w1', hostname: 'box', pid: 42, queues: ['default'], tasks: ['process_data'], concurrency: 5, startedAt: T0, lastSeenAt: T0, status: 'active' as const };
        await store.saveWorker(worker);
        await store.saveWorker({ ...worker, lastSeenAt: T0 + 5000 });
        expect(await store.listWorkers()).toEqual([{ ...worker, lastSeenAt: T0 + 5000 }]);
      });

      it('counts task jobs by status, queue and priority, with mean wait and run times', async () => {
        const a = newJob({ runAt: T0 - 1000, priority: 'high' });
        const b = newJob({ runAt: T0 - 1000, queue: 'reports' });
        await store.insertJobs([a, b, newJob({ runAt: T0 + 9999, priority: 'low' }), newJob({}, callbackTemplate())]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(a.id, 'w1', 'completed', { finishedAt: T0 + 500 })]);
        const stats = await store.jobStats();
        expect(stats.total).toBe(3);
        expect(stats.byStatus).toMatchObject({ completed: 1, pending: 2, running: 0, failed: 0 });
        expect(stats.byQueue.default).toMatchObject({ total: 2, byStatus: expect.objectContaining({ completed: 1, pending: 1 }) });
        expect(stats.byQueue.reports).toMatchObject({ total: 1 });
        expect(stats.byPriority).toEqual({ critical: 0, high: 1, normal: 1, low: 1 });
        expect(stats.avgWaitMs).toBe(1000);
        expect(stats.avgRunMs).toBe(500);
      });
    });

    describe('retention and signals', () => {
      it('purges finished jobs and their history before the cut-off, and keeps the rest', async () => {
        const old = newJob();
        const live = newJob({ runAt: T0 + 100_000 });
        await store.insertJobs([old, live]);
        await store.claimDue({ lane: TASKS, now: T0, limit: 1, owner: 'w1', leaseMs: 5000, planNext: noNext });
        await store.recordOutcomes([outcome(old.id, 'w1', 'completed')]);
        expect(await store.purgeFinished(T0 + 10, 100)).toBe(0);
        expect(await store.purgeFinished(T0 + 11, 100)).toBe(1);
        expect(await store.getJob(old.id)).toBeNull();
        expect(await store.listHistory({ jobId: old.id, limit: 10 })).toEqual([]);
        expect(await store.getJob(live.id)).not.toBeNull();
      });

      it('signals new due work to subscribers', async () => {
        const seen: (DueSignal | null)[] = [];
        const unsubscribe = store.onDue((signal) => seen.push(signal));
        await store.insertJobs([newJob({ runAt: T0 + 5 }), newJob({ runAt: T0 + 3 })]);
        const s = newSchedule();
        await store.createSchedule(s, firstJob(s, T0 + 7), 'create');
        await new Promise((resolve) => setTimeout(resolve, 50));
        unsubscribe();
        const known = seen.filter((x): x is DueSignal => x !== null);
        // A batch signals its earliest time, flagged `more` (it made later times due too).
        expect(known).toContainEqual({ target: 'task', queue: 'default', runAt: T0 + 3, more: true });
        expect(known).toContainEqual({ target: 'callback', queue: CALLBACK_QUEUE, runAt: T0 + 7 });
      });
    });

  });
}

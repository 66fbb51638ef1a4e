/**
 * Contract cases for the dashboard's reads at scale: Dapr-style job counts by status, and the
 * jobs list's keyset (cursor) paging. Registered by runStoreContract, so every backend runs them.
 */
import { describe, expect, it } from 'vitest';
import type { JobOutcome, Lane, Store } from '../../src/store/store.js';
import { T0, firstJob, newSchedule, noNext, taskTemplate } from '../support/fixtures.js';

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
  });
}

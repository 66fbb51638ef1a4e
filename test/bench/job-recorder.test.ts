/**
 * The harness's job-start routing (bench/job-recorder.ts): workload 10 inserts its measured
 * round before the warm-up that fires ahead of it, so two rounds wait on one worker at once and
 * each start must reach the round whose indices it belongs to.
 */
import { describe, expect, it } from 'vitest';
import { JobStartRecorder, JobStartRouter } from '../../bench/job-recorder.js';

describe('JobStartRouter', () => {
  it('sends each start to the pending round whose range holds it, as that round\'s own index', () => {
    const router = new JobStartRouter();
    const measured = new JobStartRecorder(3);
    const warmup = new JobStartRecorder(2);
    router.route(measured, 2);
    router.route(warmup, 0);
    for (const index of [1, 0, 2, 4, 3]) router.onJobStart(index);
    expect(warmup.started).toBe(2);
    expect(measured.started).toBe(3);
    expect(Number.isNaN(measured.startedAtMs[0])).toBe(false);
    expect(warmup.strays + measured.strays).toBe(0);
  });

  it('counts a start outside every round as a stray of the latest round, and a second start as a duplicate', () => {
    const router = new JobStartRouter();
    const first = new JobStartRecorder(2);
    const latest = new JobStartRecorder(2);
    router.route(first, 0);
    router.route(latest, 2);
    router.onJobStart(7);
    router.onJobStart(3);
    router.onJobStart(3);
    expect(latest.strays).toBe(1);
    expect(first.strays).toBe(0);
    expect(latest.started).toBe(1);
    expect(latest.duplicates).toBe(1);
  });

  it('reports nothing before any round is routed', () => {
    expect(() => new JobStartRouter().onJobStart(0)).not.toThrow();
  });
});

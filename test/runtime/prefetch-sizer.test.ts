import { describe, expect, it } from 'vitest';
import { PrefetchSizer } from '../../src/runtime/prefetch-sizer.js';

/** Feeds `ms` milliseconds of a steady pace: `perMs` starts each millisecond, a claim of `claimMs` every 10 ms. */
function feed(sizer: PrefetchSizer, ms: number, perMs: number, claimMs: number, from = 0): number {
  for (let t = from; t < from + ms; t++) {
    sizer.started(perMs, t);
    if (t % 10 === 0) sizer.claimed(claimMs);
  }
  return from + ms;
}

describe('PrefetchSizer', () => {
  it('starts at its floor', () => {
    expect(new PrefetchSizer(16, 128).size).toBe(16);
  });

  it("holds what the lane starts in four claims' time, within its bounds", () => {
    const sizer = new PrefetchSizer(16, 128);
    feed(sizer, 2000, 2, 5);
    // 2 jobs/ms × 5 ms × 4 = 40
    expect(sizer.size).toBe(40);
    feed(sizer, 2000, 10, 5, 2000);
    expect(sizer.size).toBe(128);
  });

  it('stays at its floor for slow handlers, or claims quicker than a millisecond', () => {
    const slowJobs = new PrefetchSizer(16, 128);
    feed(slowJobs, 5000, 0.01, 20);
    expect(slowJobs.size).toBe(16);
    const quickClaims = new PrefetchSizer(16, 128);
    feed(quickClaims, 5000, 5, 0);
    expect(quickClaims.size).toBe(16);
  });

  it('comes back down when the pace slows', () => {
    const sizer = new PrefetchSizer(16, 128);
    const t = feed(sizer, 2000, 10, 5);
    expect(sizer.size).toBe(128);
    feed(sizer, 5000, 0.1, 5, t);
    expect(sizer.size).toBe(16);
  });
});

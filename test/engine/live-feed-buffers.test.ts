/** The lifecycle stream's two in-memory readers: the resume buffer and the per-minute firing stats. */
import { describe, expect, it } from 'vitest';
import { FiringStats } from '../../src/services/firing-stats.js';
import { jobRefOf, LifecycleEvents, type LifecycleEvent } from '../../src/core/lifecycle-events.js';
import { RecentEvents } from '../../src/services/recent-events.js';
import { newJob, T0 } from '../support/fixtures.js';

const fired = (at: number, lateMs: number): LifecycleEvent => ({ type: 'job.fired', at, job: jobRefOf(newJob()), lateMs, nodeId: 'n' });
const queue = (at: number): LifecycleEvent => ({ type: 'queue.changed', at, queue: 'q', change: 'paused', detail: null });

describe('RecentEvents', () => {
  it('replays what came after an id, and says reset beyond its capacity or for a foreign id', () => {
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 5, T0);
    expect(events.active).toBe(false);
    recent.start();
    recent.start();
    expect(events.listenerCount).toBe(1);
    for (let i = 0; i < 3; i++) events.emit(queue(T0 + i));
    const after1 = recent.after(recent.idOf(1));
    expect(after1.kind === 'replay' && after1.events.map((e) => e.seq)).toEqual([2, 3]);
    expect(recent.after(recent.lastId)).toEqual({ kind: 'replay', events: [] });
    for (let i = 0; i < 5; i++) events.emit(queue(T0 + 10 + i));
    // Held now: 4..8. After 3 is still complete; after 2 would miss 3.
    const after3 = recent.after(recent.idOf(3));
    expect(after3.kind === 'replay' && after3.events.map((e) => e.seq)).toEqual([4, 5, 6, 7, 8]);
    expect(recent.after(recent.idOf(2)).kind).toBe('reset');
    expect(recent.after(recent.idOf(99)).kind).toBe('reset');
    expect(recent.after('other-3').kind).toBe('reset');
    expect(recent.after('garbage').kind).toBe('reset');
    recent.close();
    expect(events.active).toBe(false);
  });
});

describe('FiringStats', () => {
  it('counts firings and outcomes per minute with lateness percentiles, for the last hour only', () => {
    const events = new LifecycleEvents();
    const stats = new FiringStats(events);
    stats.start();
    const minute = T0 + 5 * 60_000;
    for (let i = 1; i <= 100; i++) events.emit(fired(minute + i, i));
    events.emit(fired(T0 - 2 * 3_600_000, 1000));
    const hour = stats.lastHour(minute + 30_000);
    expect(hour).toHaveLength(60);
    const last = hour[59]!;
    expect(last).toMatchObject({ minute, fired: 100, lateP50Ms: 50, lateP99Ms: 99 });
    expect(hour.slice(0, 59).every((m) => m.fired === 0 && m.lateP50Ms === null)).toBe(true);
    stats.close();
  });

  it('keeps percentiles from a bounded sample when a minute has many firings', () => {
    const events = new LifecycleEvents();
    let seed = 1;
    const stats = new FiringStats(events, () => ((seed = (seed * 16807) % 2147483647) / 2147483647));
    stats.start();
    for (let i = 0; i < 20_000; i++) events.emit(fired(T0 + (i % 60_000), i % 100));
    const [m] = stats.lastHour(T0).slice(-1);
    expect(m!.fired).toBe(20_000);
    expect(m!.lateP50Ms).toBeGreaterThanOrEqual(40);
    expect(m!.lateP50Ms).toBeLessThanOrEqual(60);
    expect(m!.lateP99Ms).toBeGreaterThanOrEqual(95);
  });
});

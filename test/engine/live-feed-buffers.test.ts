/** The lifecycle stream's two in-memory readers: the resume buffer and the per-minute firing stats. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { FiringStats } from '../../src/services/firing-stats.js';
import { jobRefOf, LifecycleEvents, type LifecycleEvent } from '../../src/core/lifecycle-events.js';
import { RecentEvents } from '../../src/services/recent-events.js';
import { newJob, T0 } from '../support/fixtures.js';

const fired = (at: number, lateMs: number, payload?: string): LifecycleEvent => ({
  type: 'job.fired',
  at,
  job: jobRefOf(newJob(payload === undefined ? {} : { payload })),
  lateMs,
  nodeId: 'n',
});
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

  it('replays events equal to the ones emitted, payloads with any characters included', () => {
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 100, T0);
    recent.start();
    const emitted = [
      fired(T0, 3),
      fired(T0 + 1, 0.25, JSON.stringify({ text: 'é ✓ 😀 "quoted" \\ \n' })),
      queue(T0 + 2),
    ];
    for (const event of emitted) events.emit(event);
    const replay = recent.after(`${recent.boot}-0`);
    expect(replay.kind === 'replay' && replay.events.map((e) => e.event)).toEqual(emitted);
  });

  it('keeps fewer events when they fill its bytes, and never replays one it overwrote', () => {
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 1_000, T0, 16_384);
    recent.start();
    const big = (i: number): LifecycleEvent => fired(T0 + i, i, JSON.stringify('x'.repeat(400)));
    for (let i = 0; i < 40; i++) events.emit(big(i));
    // ~1.1 KB each: 40 of them do not fit in 16 KB, so an early id resets and the last three replay.
    expect(recent.after(recent.idOf(1)).kind).toBe('reset');
    const lastThree = recent.after(recent.idOf(37));
    expect(lastThree.kind === 'replay' && lastThree.events.map((e) => e.event.at)).toEqual([T0 + 37, T0 + 38, T0 + 39]);
  });

  it('does not keep an event larger than an eighth of its bytes: a resume across it resets, one after it replays', () => {
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 100, T0, 64 * 1024);
    recent.start();
    events.emit(queue(T0));
    events.emit(fired(T0 + 1, 1, JSON.stringify('y'.repeat(10_000))));
    events.emit(queue(T0 + 2));
    expect(recent.after(recent.idOf(0)).kind).toBe('reset');
    expect(recent.after(recent.idOf(1)).kind).toBe('reset');
    const after2 = recent.after(recent.idOf(2));
    expect(after2.kind === 'replay' && after2.events.map((e) => e.event)).toEqual([queue(T0 + 2)]);
  });

  it('replays exactly the events after any id it still holds, whatever their sizes (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.nat({ max: 3_000 }), { minLength: 1, maxLength: 300 }),
        fc.integer({ min: 5, max: 60 }),
        fc.integer({ min: 8_192, max: 65_536 }),
        fc.nat(),
        (sizes, capacity, bytes, pick) => {
          const events = new LifecycleEvents();
          const recent = new RecentEvents(events, capacity, T0, bytes);
          recent.start();
          const emitted = sizes.map((size, i) => fired(T0 + i, i, JSON.stringify('z'.repeat(size))));
          const lengths = emitted.map((e) => Buffer.byteLength(JSON.stringify(e)));
          for (const event of emitted) events.emit(event);
          const seq = pick % (emitted.length + 1);
          const result = recent.after(recent.idOf(seq));
          const wanted = emitted.slice(seq);
          if (result.kind === 'replay') {
            expect(result.events.map((e) => e.seq)).toEqual(wanted.map((_, i) => seq + 1 + i));
            expect(result.events.map((e) => e.event)).toEqual(wanted);
          } else {
            // A reset only when the wanted events could not all be kept: too many, one too large,
            // or more than half the bytes (half: the rest may be skipped where text would wrap).
            const wantedBytes = lengths.slice(seq).reduce((a, b) => a + b, 0);
            const tooLarge = lengths.slice(seq).some((l) => l > bytes / 8);
            expect(wanted.length > capacity || tooLarge || wantedBytes > bytes / 2).toBe(true);
          }
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('RecentEvents while nobody listens', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps nothing before its first client, and pauses a minute after the last one left', () => {
    vi.useFakeTimers();
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 100, T0, 64 * 1024, 60_000);
    events.emit(queue(T0));
    expect(events.active).toBe(false);
    const seen: number[] = [];
    const stop = recent.listen(({ seq }) => seen.push(seq));
    expect(recent.running).toBe(true);
    events.emit(queue(T0 + 1));
    stop();
    // Gone for less than the idle time: what came meanwhile replays.
    vi.advanceTimersByTime(59_999);
    events.emit(queue(T0 + 2));
    const back = recent.listen(() => undefined);
    const missed = recent.after(recent.idOf(1));
    expect(missed.kind === 'replay' && missed.events.map((e) => e.event)).toEqual([queue(T0 + 2)]);
    back();
    vi.advanceTimersByTime(60_000);
    expect(recent.running).toBe(false);
    expect(events.active).toBe(false);
    expect(seen).toEqual([1]);
    recent.close();
  });

  it('after a pause, an id from before it resets instead of replaying across the missed events', () => {
    vi.useFakeTimers();
    const events = new LifecycleEvents();
    const recent = new RecentEvents(events, 100, T0, 64 * 1024, 1_000);
    recent.listen(() => undefined)();
    events.emit(queue(T0));
    const caughtUp = recent.lastId;
    vi.advanceTimersByTime(1_000);
    expect(recent.running).toBe(false);
    events.emit(queue(T0 + 1)); // missed: nobody kept it
    recent.start();
    expect(recent.after(caughtUp).kind).toBe('reset');
    expect(recent.after(recent.idOf(0)).kind).toBe('reset');
    // An id from after the pause resumes as before.
    const fresh = recent.lastId;
    events.emit(queue(T0 + 2));
    const replay = recent.after(fresh);
    expect(replay.kind === 'replay' && replay.events.map((e) => e.event)).toEqual([queue(T0 + 2)]);
    recent.close();
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

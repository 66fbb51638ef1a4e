import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { DueWindow, type DueWindowOptions } from '../../src/runtime/due-window.js';
import type { Lane } from '../../src/store/store.js';
import { T0, callbackTemplate, newJob, noNext, taskTemplate } from '../support/fixtures.js';
import { openSpyStore, type SpyStore } from '../support/spy-store.js';

const CALLBACKS: Lane = { target: 'callback' };
const OPTIONS: DueWindowOptions = { lane: CALLBACKS, leadMs: 10, windowMs: 60_000, peekLimit: 1000, pollIntervalMs: 30_000 };

let spy: SpyStore;
let clock: VirtualClock;
let window: DueWindow;
/** When the window said "due" (ms after T0). */
let dues: number[];
let unknownWrites: number;
let errors: string[];

/**
 * A window whose due times get claimed as a dispatcher would (everything due within the lead),
 * so a time it reported does not come back in the next read.
 */
function openWindow(options: Partial<DueWindowOptions> = {}): DueWindow {
  const merged = { ...OPTIONS, ...options };
  window = new DueWindow(spy.store, clock, merged, {
    onDue: (now) => {
      dues.push(now - T0);
      void spy.inner.claimDue({ lane: CALLBACKS, now, dueBy: now + merged.leadMs + (merged.claimSpanMs ?? 0), limit: 100, owner: 'test', leaseMs: 60_000, planNext: noNext });
    },
    onUnknownWrite: () => unknownWrites++,
    onError: (_error, context) => errors.push(context),
  });
  return window;
}

async function insertCallbacks(...offsets: number[]): Promise<void> {
  await spy.inner.insertJobs(offsets.map((offset) => newJob({ runAt: T0 + offset }, callbackTemplate())));
}

beforeEach(async () => {
  spy = await openSpyStore();
  clock = new VirtualClock(T0);
  dues = [];
  unknownWrites = 0;
  errors = [];
});

afterEach(async () => {
  window?.stop();
  await spy.close();
});

describe('DueWindow', () => {
  it('reads the window at start and wakes a lead time before each due time', async () => {
    await insertCallbacks(5000, 8000);
    await openWindow().start();
    expect(spy.calls.get('peekDueTimes')).toEqual([[CALLBACKS, T0 + 60_000, 1000]]);
    await clock.advanceTo(T0 + 4989);
    expect(dues).toEqual([]);
    await clock.advanceTo(T0 + 4990);
    expect(dues).toEqual([4990]);
    await clock.advanceTo(T0 + 9000);
    expect(dues).toEqual([4990, 7990]);
  });

  it('with a claim span, one wake-up stands for every due time within lead + span', async () => {
    // Due every 2 ms: without a span each would wake the window (and claim) on its own.
    await insertCallbacks(...Array.from({ length: 20 }, (_, i) => 1000 + 2 * i));
    await openWindow({ claimSpanMs: 10 }).start();
    await clock.advanceTo(T0 + 1040);
    // 990 claims through 1010; the next time left (1012) wakes it at 1002, and so on.
    expect(dues).toEqual([990, 1002, 1014, 1026]);
  });

  it('a burst bigger than a read is one due entry, and the times after it are read at once', async () => {
    // Six jobs due now with reads of five: before, the window ended at the last time read
    // (now), and every timer re-read it until the burst was claimed.
    await insertCallbacks(0, 0, 0, 0, 0, 0, 3000);
    window = new DueWindow(spy.store, clock, { ...OPTIONS, peekLimit: 5 }, {
      onDue: (now) => dues.push(now - T0), // a busy claim loop: nothing claimed yet
      onUnknownWrite: () => unknownWrites++,
      onError: (_error, context) => errors.push(context),
    });
    await window.start();
    expect(spy.calls.get('peekDueTimes')).toEqual([
      [CALLBACKS, T0 + 60_000, 5],
      [CALLBACKS, T0 + 60_000, 5, T0 + 10],
    ]);
    await clock.advanceTo(T0 + 3000);
    expect(dues).toEqual([0, 2990]);
    expect(spy.count('peekDueTimes')).toBe(2);
  });

  it('a signal inside the window adds its time without a re-read', async () => {
    await openWindow().start();
    await insertCallbacks(3000);
    await clock.advanceTo(T0 + 2990);
    expect(dues).toEqual([2990]);
    expect(spy.count('peekDueTimes')).toBe(1);
  });

  it("a signal for another lane's queue is ignored", async () => {
    await openWindow().start();
    await spy.inner.insertJobs([newJob({ runAt: T0 + 3000 }, taskTemplate())]);
    await clock.advanceTo(T0 + 10_000);
    expect(dues).toEqual([]);
  });

  it('a batch signal (`more`) inside the window re-reads it, finding the later times too', async () => {
    await openWindow().start();
    await insertCallbacks(3000, 4000);
    await clock.advance(0);
    expect(spy.count('peekDueTimes')).toBe(2);
    await clock.advanceTo(T0 + 5000);
    expect(dues).toEqual([2990, 3990]);
  });

  it('a signal beyond the window is left to a later read (no re-read, no early wake-up)', async () => {
    await openWindow().start();
    await insertCallbacks(90_000, 95_000);
    await clock.advanceTo(T0 + 29_999);
    expect(spy.count('peekDueTimes')).toBe(1);
    expect(dues).toEqual([]);
    // The polls (every 30 s, each reading 60 s ahead) find them.
    await clock.advanceTo(T0 + 100_000);
    expect(dues).toEqual([89_990, 94_990]);
  });

  it('a full read ends the window at its last time, and the next read starts there', async () => {
    await insertCallbacks(1000, 2000, 3000);
    await openWindow({ peekLimit: 2 }).start();
    await clock.advanceTo(T0 + 1990);
    expect(dues).toEqual([990, 1990]);
    expect(spy.count('peekDueTimes')).toBe(1);
    await clock.advanceTo(T0 + 2000);
    expect(spy.calls.get('peekDueTimes')?.[1]).toEqual([CALLBACKS, T0 + 62_000, 2]);
    await clock.advanceTo(T0 + 3000);
    expect(dues).toEqual([990, 1990, 2990]);
  });

  it('the poll re-reads the window, finding a job whose signal was lost', async () => {
    await openWindow().start();
    spy.dropSignals = true;
    await insertCallbacks(5000);
    await clock.advanceTo(T0 + 29_999);
    expect(dues).toEqual([]);
    await clock.advanceTo(T0 + 30_000);
    expect(spy.count('peekDueTimes')).toBe(2);
    expect(dues).toEqual([30_000]);
    // And again 30 s later (that read moved the window's end to 90 s: no read for the horizon).
    await clock.advanceTo(T0 + 59_999);
    expect(spy.count('peekDueTimes')).toBe(2);
    await clock.advanceTo(T0 + 60_000);
    expect(spy.count('peekDueTimes')).toBe(3);
  });

  it('an unknown write (a null signal) asks for a claim at once and re-reads the window', async () => {
    await openWindow().start();
    spy.dropSignals = true;
    await insertCallbacks(1000);
    spy.signal(null);
    expect(unknownWrites).toBe(1);
    await clock.advance(0);
    expect(spy.count('peekDueTimes')).toBe(2);
    await clock.advanceTo(T0 + 990);
    expect(dues).toEqual([990]);
  });

  it('a failed read is reported and tried again a second later', async () => {
    spy.failing.add('peekDueTimes');
    await openWindow().start();
    expect(errors).toEqual(['reading due times']);
    spy.failing.clear();
    spy.dropSignals = true;
    await insertCallbacks(5000);
    await clock.advanceTo(T0 + 999);
    expect(spy.count('peekDueTimes')).toBe(1);
    await clock.advanceTo(T0 + 1000);
    expect(spy.count('peekDueTimes')).toBe(2);
    await clock.advanceTo(T0 + 4990);
    expect(dues).toEqual([4990]);
  });

  it('after stop it neither wakes nor listens', async () => {
    await insertCallbacks(1000);
    await openWindow().start();
    expect(spy.listening).toBe(1);
    window.stop();
    expect(spy.listening).toBe(0);
    await insertCallbacks(2000, 2500);
    spy.signal(null);
    await clock.advanceTo(T0 + 40_000);
    expect(dues).toEqual([]);
    expect(unknownWrites).toBe(0);
    expect(spy.count('peekDueTimes')).toBe(1);
  });
});

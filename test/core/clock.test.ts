import { describe, expect, it } from 'vitest';
import { SystemClock, VirtualClock } from '../../src/core/clock.js';

describe('SystemClock', () => {
  it('never fires early and never calls back synchronously', async () => {
    const clock = new SystemClock();
    let syncCall = true;
    let firedAt = 0;
    const at = Date.now() + 30;
    await new Promise<void>((resolve) => {
      clock.setTimer(at, () => {
        expect(syncCall).toBe(false);
        firedAt = Date.now();
        resolve();
      });
      syncCall = false;
    });
    expect(firedAt).toBeGreaterThanOrEqual(at);
    let dueNowCalledSync = true;
    await new Promise<void>((resolve) => {
      clock.setTimer(Date.now() - 5, () => {
        expect(dueNowCalledSync).toBe(false);
        resolve();
      });
      dueNowCalledSync = false;
    });
  });

  it('does not fire a cancelled timer', async () => {
    const clock = new SystemClock();
    let fired = false;
    clock.setTimer(Date.now() + 5, () => (fired = true)).cancel();
    clock.setTimer(Date.now() - 1, () => (fired = true)).cancel();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(fired).toBe(false);
  });
});

describe('VirtualClock', () => {
  it('fires timers in time order as it advances, with now() at each timer', async () => {
    const clock = new VirtualClock(1000);
    const seen: [string, number][] = [];
    clock.setTimer(1500, () => seen.push(['b', clock.now()]));
    clock.setTimer(1200, () => seen.push(['a', clock.now()]));
    clock.setTimer(1500, () => seen.push(['c', clock.now()]));
    const cancelled = clock.setTimer(1300, () => seen.push(['x', clock.now()]));
    cancelled.cancel();
    await clock.advance(499);
    expect(seen).toEqual([['a', 1200]]);
    await clock.advance(1);
    expect(seen).toEqual([['a', 1200], ['b', 1500], ['c', 1500]]);
    expect(clock.now()).toBe(1500);
  });

  it('fires timers set during an advance when they fall inside it', async () => {
    const clock = new VirtualClock(0);
    const seen: number[] = [];
    clock.setTimer(100, () => {
      seen.push(clock.now());
      clock.setTimer(150, () => seen.push(clock.now()));
    });
    await clock.advance(200);
    expect(seen).toEqual([100, 150]);
  });

  it('fires an already-due timer on the next turn without an advance', async () => {
    const clock = new VirtualClock(500);
    let fired = false;
    clock.setTimer(400, () => (fired = true));
    expect(fired).toBe(false);
    await new Promise((resolve) => setImmediate(resolve));
    expect(fired).toBe(true);
    expect(clock.pendingTimers).toBe(0);
  });

  it('sleeps in virtual time', async () => {
    const clock = new VirtualClock(0);
    let woke = false;
    void clock.sleep(1000).then(() => (woke = true));
    await clock.advance(999);
    expect(woke).toBe(false);
    await clock.advance(1);
    expect(woke).toBe(true);
  });
});

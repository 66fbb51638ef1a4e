import { describe, expect, it } from 'vitest';
import { VirtualClock, type Clock, type TimerHandle } from '../../src/core/clock.js';
import { StoreAlignedClock, wholeOffset } from '../../src/runtime/store-clock.js';

/**
 * A store whose clock reads `aheadMs` ahead of the local one; a round trip takes `toMs` of
 * virtual time to reach it and `backMs` to come back.
 */
function storeAhead(local: VirtualClock, aheadMs: number, toMs: number, backMs = toMs): () => Promise<number> {
  return async () => {
    await local.advance(toMs);
    const server = local.now() + aheadMs;
    await local.advance(backMs);
    return server;
  };
}

/** A system clock in miniature: now() in whole milliseconds, as Date.now(), preciseNow() with every digit. */
class WholeMillisecondClock implements Clock {
  constructor(readonly exact: VirtualClock) {}
  now(): number {
    return Math.floor(this.exact.now());
  }
  preciseNow(): number {
    return this.exact.now();
  }
  setTimer(at: number, fn: () => void): TimerHandle {
    return this.exact.setTimer(at, fn);
  }
  sleep(ms: number): Promise<void> {
    return this.exact.sleep(ms);
  }
}

describe('the store-aligned clock', () => {
  it('follows the store clock', async () => {
    const local = new VirtualClock(1_700_000_000_000);
    const clock = new StoreAlignedClock(local, storeAhead(local, 250, 0));
    await clock.start();
    clock.stop();
    expect(clock.offset).toBe(250);
    expect(clock.now()).toBe(local.now() + 250);
  });

  it('keeps whole milliseconds at or below what the round trip allows, never ahead of the store', async () => {
    const local = new VirtualClock(1_700_000_000_000);
    // A 3 ms round trip, 1 ms out and 2 back: the store's clock read 101 ms past the send,
    // an estimate of 99.5 good to 1.5 either way. Had the request taken 2 ms and the answer
    // 1, a store 98 ms ahead would have answered the same: 98 is the most that is certain.
    const clock = new StoreAlignedClock(local, storeAhead(local, 100, 1, 2));
    await clock.start();
    clock.stop();
    expect(clock.offset).toBe(98);
    expect(Number.isInteger(clock.now())).toBe(true);
  });

  it('sets timers by local time so they fire at the store time asked for', async () => {
    const local = new VirtualClock(1_700_000_000_000);
    const clock = new StoreAlignedClock(local, storeAhead(local, 1000, 1));
    await clock.start();
    clock.stop();
    const fired: number[] = [];
    clock.setTimer(clock.now() + 500, () => fired.push(clock.now()));
    await local.advance(499);
    expect(fired).toEqual([]);
    await local.advance(1);
    expect(fired).toEqual([clock.now()]);
  });

  it('reads its own clock finer than whole milliseconds: a store on the same clock is at offset 0', async () => {
    // Sent at .99 of a millisecond; the request takes 1.99 ms, the answer 0.01 ms (every
    // sample alike). Read in whole milliseconds that is sent 0, answered 2.98, received 2:
    // an estimate of +1.98 ms, and a node running every timer a millisecond ahead of its
    // store (seen in a benchmark run, on a busy machine).
    const exact = new VirtualClock(1_700_000_000_000 + 0.99);
    const local = new WholeMillisecondClock(exact);
    const clock = new StoreAlignedClock(local, storeAhead(exact, 0, 1.99, 0.01));
    await clock.start();
    clock.stop();
    expect(clock.offset).toBe(0);
    expect(clock.now()).toBe(local.now());
  });

  it('takes 0 when the range the round trip allows holds it, else the whole ms at or below the range', () => {
    // Same machine: a hair either side, or far off the middle when one direction was slow.
    expect(wholeOffset(-0.02, 0.1)).toBe(0);
    expect(wholeOffset(1.02, 1.109)).toBe(0);
    expect(wholeOffset(-1.02, 1.109)).toBe(0);
    // Clocks that differ by more than the round trip shows.
    expect(wholeOffset(0.4, 0.1)).toBe(0);
    expect(wholeOffset(-0.3, 0.1)).toBe(-1);
    expect(wholeOffset(2.9, 0.2)).toBe(2);
    expect(wholeOffset(-3.4, 0.2)).toBe(-4);
    expect(wholeOffset(250, 0)).toBe(250);
  });
});

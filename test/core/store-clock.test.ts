import { describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { StoreAlignedClock } from '../../src/runtime/store-clock.js';

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

describe('the store-aligned clock', () => {
  it('follows the store clock, halving the round trip', async () => {
    const local = new VirtualClock(1_700_000_000_000);
    const clock = new StoreAlignedClock(local, storeAhead(local, 250, 2));
    await clock.start();
    clock.stop();
    expect(clock.offset).toBe(250);
    expect(clock.now()).toBe(local.now() + 250);
  });

  it('keeps whole milliseconds, never ahead of the store, when the round trip is odd', async () => {
    const local = new VirtualClock(1_700_000_000_000);
    // A 3 ms round trip puts the estimate half a millisecond off the grid: 99.5.
    const clock = new StoreAlignedClock(local, storeAhead(local, 100, 1, 2));
    await clock.start();
    clock.stop();
    expect(Number.isInteger(clock.offset)).toBe(true);
    expect(clock.offset).toBe(100 - 1);
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
});

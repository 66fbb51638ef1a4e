import { expect } from 'vitest';
import { SystemClock } from '../../src/core/clock.js';
import { StoreAlignedClock } from '../../src/runtime/store-clock.js';

/**
 * A store server on this machine reads the same clock as this process: its time comes with
 * digits below the millisecond, and every offset the store-aligned clock measures to it is 0.
 * Whole-millisecond readings made some of them +1 or -1 (a node's timers a millisecond early
 * or late; docs/benchmarks.md, "The store clock's offset in whole milliseconds").
 */
export async function expectSameMachineClock(serverTime: () => Promise<number>, samples = 40): Promise<void> {
  const times = [await serverTime(), await serverTime(), await serverTime()];
  expect(times.some((time) => !Number.isInteger(time))).toBe(true);
  const offsets: number[] = [];
  for (let i = 0; i < samples; i++) {
    const clock = new StoreAlignedClock(new SystemClock(), serverTime);
    await clock.start();
    clock.stop();
    offsets.push(clock.offset);
  }
  expect(offsets).toEqual(offsets.map(() => 0));
}

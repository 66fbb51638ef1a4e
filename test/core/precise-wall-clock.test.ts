import { describe, expect, it } from 'vitest';
import { PreciseWallClock, type WallClockSources } from '../../src/core/precise-wall-clock.js';

/**
 * A machine's two clocks, simulated: true time moves on by `stepMs` at every read (as real
 * reads take time); the wall clock reads true time plus `wallAheadMs`, floored to whole ms.
 */
class SimulatedClocks implements WallClockSources {
  trueMs = 1_700_000_000_000.37;
  wallAheadMs = 0;
  reads = 0;
  wallReads = 0;
  /** Pauses (ms) the process takes after its n-th wall clock read, as if descheduled. */
  readonly pausesAfterWallRead = new Map<number, number>();
  constructor(private readonly stepMs = 0.01) {}
  private tick(): number {
    this.reads++;
    this.trueMs += this.stepMs;
    return this.trueMs;
  }
  wall(): number {
    const wall = Math.floor(this.tick() + this.wallAheadMs);
    this.trueMs += this.pausesAfterWallRead.get(++this.wallReads) ?? 0;
    return wall;
  }
  monotonic(): number {
    return this.tick();
  }
  /** What the wall clock would read now with all its digits. */
  exactWall(): number {
    return this.trueMs + this.wallAheadMs;
  }
}

describe('the precise wall clock', () => {
  it("reads Date.now()'s scale to a fraction of a millisecond", () => {
    const machine = new SimulatedClocks();
    machine.wallAheadMs = -3_600_123.456; // the wall clock set an hour and a bit behind the monotonic one
    const clock = new PreciseWallClock(machine);
    for (let i = 0; i < 500; i++) {
      const reading = clock.now();
      // Read before the two reads that follow it in now(): within a few steps of them.
      expect(Math.abs(reading - machine.exactWall())).toBeLessThan(0.05);
    }
  });

  it('is not misled by a pause while it waits for the wall clock to tick', () => {
    // Descheduled for 0.9 ms right after its first look at the wall clock (true time .38,
    // wall 0): the next look already shows the new millisecond, read beside a monotonic
    // reading 0.9 ms past the tick. Taken as the tick, that put every reading 0.9 ms behind.
    const machine = new SimulatedClocks();
    machine.pausesAfterWallRead.set(1, 0.9);
    const clock = new PreciseWallClock(machine);
    const reading = clock.now();
    expect(Math.abs(reading - machine.exactWall())).toBeLessThan(0.05);
  });

  it('calibrates once, not on every reading', () => {
    const machine = new SimulatedClocks();
    const clock = new PreciseWallClock(machine);
    clock.now();
    const afterFirst = machine.reads;
    for (let i = 0; i < 100; i++) clock.now();
    // Two reads per reading (monotonic, then wall) once calibrated.
    expect(machine.reads - afterFirst).toBe(200);
  });

  it('follows the wall clock when it is set, either way', () => {
    const machine = new SimulatedClocks();
    const clock = new PreciseWallClock(machine);
    clock.now();
    for (const setBy of [+5_000.25, -42.7, +1.6]) {
      machine.wallAheadMs += setBy;
      const reading = clock.now();
      expect(Math.abs(reading - machine.exactWall())).toBeLessThan(0.05);
    }
  });

  it('on this machine, stays inside the millisecond Date.now() gives and has digits below it', () => {
    const clock = new PreciseWallClock();
    let fractional = 0;
    for (let i = 0; i < 2_000; i++) {
      const before = Date.now();
      const reading = clock.now();
      const after = Date.now();
      // Never ahead of the wall clock; behind it only by a read descheduled mid-calibration.
      expect(reading).toBeLessThan(after + 1);
      expect(reading).toBeGreaterThan(before - 0.5);
      if (!Number.isInteger(reading)) fractional++;
    }
    expect(fractional).toBeGreaterThan(1_000);
  });
});

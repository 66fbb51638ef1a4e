/**
 * The harness's wall-clock offset (bench/clock.ts), on simulated clocks: a real time that moves
 * a microsecond per clock read, `Date.now()` its whole milliseconds, the harness clock its exact
 * value. A process descheduled between the two reads of a sample must not decide the offset.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { nowMs, wallClockOffsetMs } from '../../bench/clock.js';

/** Wall clock minus harness clock in the simulation. */
const TRUE_OFFSET = 1_234.5678;

/**
 * @param pauseAfterFirstTickMs how long the process is away right after the first read of
 * `Date.now()` that shows a new millisecond: between a sample's tick and its harness read.
 */
function simulateClocks(pauseAfterFirstTickMs: number): void {
  let real = 1_800_000_000_000.25;
  let lastWall: number | undefined;
  let pause = 0;
  let paused = false;
  vi.spyOn(Date, 'now').mockImplementation(() => {
    const value = Math.floor(real);
    if (lastWall !== undefined && value !== lastWall && !paused) {
      paused = true;
      pause = pauseAfterFirstTickMs;
    }
    lastWall = value;
    real += 0.001 + pause;
    pause = 0;
    return value;
  });
  vi.spyOn(performance, 'now').mockImplementation(() => {
    const value = real - TRUE_OFFSET - performance.timeOrigin;
    real += 0.001;
    return value;
  });
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('wallClockOffsetMs', () => {
  it('is exact to microseconds when nothing interrupts it', () => {
    simulateClocks(0);
    expect(Date.now() - nowMs()).toBeCloseTo(TRUE_OFFSET, 0); // the simulation is wired as meant
    expect(Math.abs(wallClockOffsetMs() - TRUE_OFFSET)).toBeLessThan(0.01);
  });

  it('is not moved by a 0.7 ms pause between the tick and the harness read', () => {
    simulateClocks(0.7);
    const offset = wallClockOffsetMs();
    expect(Math.abs(offset - TRUE_OFFSET)).toBeLessThan(0.01);
  });
});

/**
 * The wall clock (`Date.now()`'s scale) read with `performance.now()`'s sub-millisecond
 * resolution. `Date.now()` is the wall clock floored to whole milliseconds: an instant read
 * with it is up to 1 ms early. The store-aligned clock compares two such readings with the
 * store server's time to find the offset between the clocks, and whole-millisecond readings
 * put that estimate up to a millisecond off either way, so a node on the same machine as its
 * store ran its timers a millisecond ahead of the store's (docs/benchmarks.md, "The store
 * clock's offset in whole milliseconds").
 *
 * The monotonic clock (`performance.timeOrigin + performance.now()`) keeps the resolution;
 * the difference between it and the wall clock is found once, at an instant `Date.now()`
 * ticks, and found again whenever a reading falls outside the millisecond `Date.now()` gives
 * (the wall clock was set or stepped since). Monotonic and wall clocks run at one rate (NTP's
 * slewing adjusts both), so between steps the difference holds.
 */

/** Where the readings come from; tests pass their own. */
export interface WallClockSources {
  /** Epoch ms in whole milliseconds, as `Date.now()`. */
  wall(): number;
  /** Epoch ms, sub-millisecond, monotonic, as `performance.timeOrigin + performance.now()`. */
  monotonic(): number;
}

const SYSTEM_SOURCES: WallClockSources = {
  wall: () => Date.now(),
  monotonic: () => performance.timeOrigin + performance.now(),
};

/**
 * The calibration watches `Date.now()` tick over. The tick fell between the last read that
 * showed the old value and the first that shows the new one; monotonic readings around the
 * two bracket it. A bracket this narrow ends the calibration (at once, on an idle machine);
 * a wider one means the process was descheduled while it waited, so it watches another tick,
 * up to `MAX_CALIBRATION_TICKS` (each costs up to a millisecond of spinning, once per process,
 * and again after the wall clock is set). Without the bracket, a busy machine put the
 * difference a millisecond off.
 */
const TIGHT_BRACKET_MS = 0.05;
const MAX_CALIBRATION_TICKS = 10;

/**
 * A reading this far before the `Date.now()` read just after it means the wall clock was set
 * back (or the process paused between the two reads: the cost is a needless calibration). A
 * step of more than 1.1 ms is always seen; a smaller one may not be.
 */
const STEP_TOLERANCE_MS = 0.1;

export class PreciseWallClock {
  /** Wall clock minus monotonic clock, ms; undefined until first needed. */
  private delta: number | undefined;

  constructor(private readonly sources: WallClockSources = SYSTEM_SOURCES) {}

  /** Epoch ms on `Date.now()`'s scale, with sub-millisecond resolution. */
  now(): number {
    const delta = this.delta ?? this.calibrate();
    const monotonic = this.sources.monotonic();
    // Read after: the wall clock has only moved on since `monotonic` was read.
    const wall = this.sources.wall();
    const reading = monotonic + delta;
    if (reading >= wall - STEP_TOLERANCE_MS && reading < wall + 1) return reading;
    const recalibrated = this.calibrate();
    return this.sources.monotonic() + recalibrated;
  }

  private calibrate(): number {
    let best = Number.NEGATIVE_INFINITY;
    for (let tick = 0; tick < MAX_CALIBRATION_TICKS; tick++) {
      // The tick fell after the last read of the old value and by the first read of the new
      // one: after `earlier` (read before that last old read) and before `after`. Reading
      // `earlier` only after the old value was seen missed a pause between the two.
      let before = this.sources.monotonic();
      let wall = this.sources.wall();
      const old = wall;
      let earlier = before;
      while (wall === old) {
        earlier = before;
        before = this.sources.monotonic();
        wall = this.sources.wall();
      }
      const after = this.sources.monotonic();
      // The lower bound: a reading is never ahead of the wall clock.
      best = Math.max(best, wall - after);
      if (after - earlier <= TIGHT_BRACKET_MS) break;
    }
    this.delta = best;
    return best;
  }
}

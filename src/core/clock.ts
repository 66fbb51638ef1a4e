/**
 * Every "now" and every timer in Chime goes through a Clock, so tests (and users, through
 * `chime/testing`) can swap in a VirtualClock and move time by hand.
 */

import { PreciseWallClock } from './precise-wall-clock.js';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Epoch milliseconds. */
  now(): number;
  /**
   * Calls `fn` once the clock reads `at` or later, never before: the engine's
   * "never early" guarantee rests on this. Never calls `fn` synchronously.
   */
  setTimer(at: number, fn: () => void): TimerHandle;
  /** Resolves after `ms` of this clock's time. */
  sleep(ms: number): Promise<void>;
  /**
   * now() with sub-millisecond resolution, on the same scale, for measuring against another
   * clock (the store-aligned clock's offset). Where absent, now() is as precise as it gets.
   */
  preciseNow?(): number;
}

/** setTimeout takes a signed 32-bit delay; longer waits are chained. */
const MAX_TIMEOUT_MS = 2_147_483_647;
/**
 * Node's timers run off a loop time cached per tick and rounded to whole milliseconds, so a
 * timeout can fire up to ~1 ms before Date.now() reaches the target. Within this margin the
 * timer finishes the wait with setImmediate turns, which costs a little CPU for at most
 * this long and buys sub-millisecond lateness.
 */
const SPIN_MARGIN_MS = 2;

/** The wall clock (Date.now) with precise, never-early timers. */
export class SystemClock implements Clock {
  private precise: PreciseWallClock | undefined;

  now(): number {
    return Date.now();
  }

  preciseNow(): number {
    return (this.precise ??= new PreciseWallClock()).now();
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let cancelled = false;
    const check = (): void => {
      timeout = undefined;
      immediate = undefined;
      if (cancelled) return;
      const remaining = at - Date.now();
      if (remaining <= 0) {
        fn();
      } else if (remaining <= SPIN_MARGIN_MS) {
        immediate = setImmediate(check);
      } else {
        timeout = setTimeout(check, Math.min(remaining - SPIN_MARGIN_MS + 1, MAX_TIMEOUT_MS));
      }
    };
    // Never call back synchronously, even when already due: callers store the handle first.
    immediate = setImmediate(check);
    return {
      cancel(): void {
        cancelled = true;
        if (timeout) clearTimeout(timeout);
        if (immediate) clearImmediate(immediate);
      },
    };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(Date.now() + ms, resolve);
    });
  }
}

interface VirtualTimer {
  at: number;
  seq: number;
  fn: () => void;
}

/**
 * A clock that moves only when told to. `advance` fires due timers in time order, letting
 * the async work each one starts settle before the next, like seed 004's time travel but
 * for the whole engine.
 *
 * @example
 * const clock = new VirtualClock(Date.parse('2025-01-15T14:00:00Z'));
 * const server = await startServer({ clock, ... });
 * await clock.advance(30 * 60_000); // the 14:30 reminder fires now
 */
export class VirtualClock implements Clock {
  private current: number;
  private timers: VirtualTimer[] = [];
  private seq = 0;
  private settler: (() => Promise<void>) | null = null;

  constructor(start: number = Date.now()) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    const timer: VirtualTimer = { at, seq: this.seq++, fn };
    this.timers.push(timer);
    const remove = (): boolean => {
      const index = this.timers.indexOf(timer);
      if (index < 0) return false;
      this.timers.splice(index, 1);
      return true;
    };
    // Like a real timer, one already due fires on the next turn of the event loop, without
    // waiting for the test to advance the clock.
    if (at <= this.current) setImmediate(() => remove() && fn());
    return { cancel: () => void remove() };
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.setTimer(this.current + ms, resolve);
    });
  }

  /**
   * Awaited after each timer fires during `advance`, before the next: e.g. an engine's
   * `whenSettled`, so work a timer starts on a networked store lands before time moves on.
   */
  setSettler(settler: (() => Promise<void>) | null): void {
    this.settler = settler;
  }

  /** Number of timers waiting. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves time forward by `ms`, firing every timer due on the way. */
  async advance(ms: number): Promise<void> {
    await this.advanceTo(this.current + ms);
  }

  /** Moves time to `target`, firing every timer due on the way, in order. */
  async advanceTo(target: number): Promise<void> {
    for (;;) {
      await settle();
      if (this.settler) await this.settler();
      const next = this.earliest();
      if (!next || next.at > target) break;
      this.timers.splice(this.timers.indexOf(next), 1);
      if (next.at > this.current) this.current = next.at;
      next.fn();
    }
    if (target > this.current) this.current = target;
    await settle();
    if (this.settler) await this.settler();
  }

  private earliest(): VirtualTimer | undefined {
    let best: VirtualTimer | undefined;
    for (const timer of this.timers) {
      if (!best || timer.at < best.at || (timer.at === best.at && timer.seq < best.seq)) best = timer;
    }
    return best;
  }
}

/**
 * Lets promise chains and I/O callbacks started by a fired timer run: a few macrotask turns
 * cover the store's async wrappers without waiting on wall time.
 */
async function settle(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Every "now" and every timer in Chime goes through a Clock, so tests (and users, through
 * `chime/testing`) can swap in a VirtualClock and move time by hand.
 */

import { monotonicMicros, PreciseWaker } from './precise-waker.js';
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
 * timeout can fire up to ~1 ms before Date.now() reaches the target. Within this margin a
 * timer finishes the wait with setImmediate turns (a spin: the event loop never sleeps), or,
 * once spinning has cost enough, hands most of it to the precise waker's thread.
 */
const SPIN_MARGIN_MS = 2;
/**
 * The waker's thread starts the first time timers spent this much of one second spinning
 * (10% of a core): a node firing a few jobs a second never pays its 8.5 MiB. Past it, a
 * timer spins at most WAKE_EARLY_US, which keeps lateness where the spin had it (the thread's
 * own wake-up is 0.1-0.2 ms late on a virtual machine; docs/benchmarks.md, "Precise timers:
 * the last milliseconds on a thread").
 */
const SPIN_BUDGET_MS = 100;
const SPIN_BUDGET_WINDOW_MS = 1_000;
const WAKE_EARLY_US = 200;

/** When to use the waker's thread: after spinning cost SPIN_BUDGET_MS (`auto`), at once, or never. */
export type PreciseWakeUps = 'auto' | 'thread' | 'spin';

/** One per process: a thread per clock would cost its memory many times over. */
let sharedWaker: PreciseWaker | undefined | null = null;
function startWaker(): PreciseWaker | undefined {
  if (sharedWaker === null) sharedWaker = PreciseWaker.tryStart();
  return sharedWaker;
}

/** Whether this process's precise waker thread is up (`auto` started it, or a `thread` clock). */
export function preciseWakerRunning(): boolean {
  return sharedWaker?.ready ?? false;
}

/** Spinning time across every SystemClock, per window of SPIN_BUDGET_WINDOW_MS. */
const spinning = { windowStart: 0, spentMs: 0 };
function spun(ms: number): boolean {
  const now = performance.now();
  if (now - spinning.windowStart >= SPIN_BUDGET_WINDOW_MS) {
    spinning.windowStart = now;
    spinning.spentMs = 0;
  }
  spinning.spentMs += ms;
  return spinning.spentMs >= SPIN_BUDGET_MS;
}

/** The wall clock (Date.now) with precise, never-early timers. */
export class SystemClock implements Clock {
  private precise: PreciseWallClock | undefined;

  constructor(private readonly wakeUps: PreciseWakeUps = 'auto') {
    if (wakeUps === 'thread') startWaker();
  }

  now(): number {
    return Date.now();
  }

  preciseNow(): number {
    return (this.precise ??= new PreciseWallClock()).now();
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    let timeout: NodeJS.Timeout | undefined;
    let immediate: NodeJS.Immediate | undefined;
    let cancelWake: (() => void) | undefined;
    let spinSince: number | undefined;
    let cancelled = false;
    const stopSpinning = (): void => {
      if (spinSince === undefined) return;
      if (spun(performance.now() - spinSince) && this.wakeUps === 'auto') startWaker();
      spinSince = undefined;
    };
    const check = (): void => {
      timeout = undefined;
      immediate = undefined;
      cancelWake = undefined;
      if (cancelled) return;
      const remaining = at - Date.now();
      if (remaining <= 0) {
        stopSpinning();
        fn();
      } else if (remaining > SPIN_MARGIN_MS) {
        timeout = setTimeout(check, Math.min(remaining - SPIN_MARGIN_MS + 1, MAX_TIMEOUT_MS));
      } else {
        const waker = this.wakeUps === 'spin' ? undefined : sharedWaker;
        // `Date.now()` floors: the instant it reaches `at` is `at` itself on the precise scale.
        const sleepUs = waker?.ready ? Math.ceil((at - this.preciseNow()) * 1000) - WAKE_EARLY_US : 0;
        if (waker && sleepUs > 0) {
          stopSpinning();
          cancelWake = waker.wakeAtMicros(monotonicMicros() + BigInt(sleepUs), check);
        } else {
          spinSince ??= performance.now();
          immediate = setImmediate(check);
        }
      }
    };
    // Never call back synchronously, even when already due: callers store the handle first.
    immediate = setImmediate(check);
    return {
      cancel(): void {
        cancelled = true;
        if (timeout) clearTimeout(timeout);
        if (immediate) clearImmediate(immediate);
        cancelWake?.();
        stopSpinning();
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

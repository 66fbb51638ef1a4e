/**
 * A clock aligned to the store server's clock. With several nodes on one PostgreSQL or
 * Redis, each node's timers follow the store's time, so a node whose own clock runs ahead
 * neither wakes early (the store also caps claims at its own time) nor, running behind,
 * fires late. The offset is sampled now and then (best of three round trips), with readings
 * finer than a millisecond on both sides, and rounded to whole milliseconds by `wholeOffset`.
 */
import type { Clock, TimerHandle } from '../core/clock.js';

export class StoreAlignedClock implements Clock {
  private offsetMs = 0;
  private sampler: NodeJS.Timeout | undefined;

  constructor(
    private readonly base: Clock,
    private readonly serverTime: () => Promise<number>,
    private readonly onError: (error: unknown) => void = () => {},
  ) {}

  /** Takes a first sample, then one every `everyMs`. */
  async start(everyMs = 30_000): Promise<void> {
    await this.sample();
    this.sampler = setInterval(() => void this.sample(), everyMs);
    this.sampler.unref();
  }

  stop(): void {
    if (this.sampler) clearInterval(this.sampler);
  }

  /** Store time minus local time, ms (positive: the store's clock is ahead). */
  get offset(): number {
    return this.offsetMs;
  }

  now(): number {
    return this.base.now() + this.offsetMs;
  }

  setTimer(at: number, fn: () => void): TimerHandle {
    // The base clock's timer is never early by its own time; shifted by the offset, it is
    // never early by the store's either.
    return this.base.setTimer(at - this.offsetMs, fn);
  }

  sleep(ms: number): Promise<void> {
    return this.base.sleep(ms);
  }

  private async sample(): Promise<void> {
    try {
      // Sub-millisecond readings where the base clock has them: whole-millisecond ones put
      // the estimate up to a millisecond off either way (see core/precise-wall-clock.ts).
      const read = (): number => this.base.preciseNow?.() ?? this.base.now();
      // Best of three: the shortest round trip bounds the error best. The estimate halves
      // it, as NTP does; wholeOffset then keeps to what the round trip makes certain.
      let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
      for (let i = 0; i < 3; i++) {
        const sent = read();
        const server = await this.serverTime();
        const received = read();
        const rtt = received - sent;
        if (rtt < best.rtt) best = { rtt, offset: server - (sent + rtt / 2) };
      }
      this.offsetMs = wholeOffset(best.offset, best.rtt / 2);
    } catch (error) {
      this.onError(error);
    }
  }
}

/**
 * The offset in whole milliseconds (stores keep times as integers: a PostgreSQL bigint
 * refuses 1795464591529.5). The store's clock lies within `uncertainty` (half the round
 * trip) of the estimate: the server read it somewhere inside the round trip.
 *
 * - A range that holds 0 gives 0: the clocks may agree, and a store on the same machine
 *   always does. Flooring its estimate instead (+1.02 when the request was slow to arrive and
 *   the answer quick, -0.02 otherwise) ran every timer a whole millisecond early or late.
 * - Otherwise the whole millisecond at or below the range, so the aligned clock never runs
 *   ahead of the store's; it can run behind it by up to a round trip and a millisecond.
 *
 * So timers are early by the store's clock only where the clocks differ by less than what a
 * round trip can show, and then by less than one round trip.
 */
export function wholeOffset(estimate: number, uncertainty: number): number {
  const lowest = estimate - uncertainty;
  if (lowest <= 0 && estimate + uncertainty >= 0) return 0;
  return Math.floor(lowest);
}

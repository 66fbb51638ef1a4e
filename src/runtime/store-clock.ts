/**
 * A clock aligned to the store server's clock. With several nodes on one PostgreSQL or
 * Redis, each node's timers follow the store's time, so a node whose own clock runs ahead
 * neither wakes early (the store also caps claims at its own time) nor, running behind,
 * fires late. The offset is sampled now and then, halving the round trip as NTP does.
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
      // Best of three: the shortest round trip bounds the error best.
      let best = { rtt: Number.POSITIVE_INFINITY, offset: 0 };
      for (let i = 0; i < 3; i++) {
        const sent = this.base.now();
        const server = await this.serverTime();
        const received = this.base.now();
        const rtt = received - sent;
        if (rtt < best.rtt) best = { rtt, offset: server - (sent + rtt / 2) };
      }
      // Whole milliseconds: stores keep times as integers (a PostgreSQL bigint refuses
      // 1795464591529.5), and flooring keeps the aligned clock at or behind the store's.
      this.offsetMs = Math.floor(best.offset);
    } catch (error) {
      this.onError(error);
    }
  }
}

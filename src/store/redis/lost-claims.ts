/**
 * Claims whose reply was lost. A claim is a script (lua/claim-due.lua): when the connection
 * drops while it runs (a cut, a Redis kill), the caller cannot tell whether it ran, and it
 * is never resent (connection.ts). Had it run, its jobs would stay leased to this node,
 * which holds nothing, until the lease runs out: measured 17-21 s after a connection cut in
 * 5 of 8 cuts under load, where PostgreSQL rolls the claim back and recovers in about a
 * second. So each claim leaves a record of what it took (kept for the lease's length), and
 * the lane's next claim fetches back the jobs of its lost claims that are still leased by
 * them (lua/recover-claim.lua) before claiming more.
 */
import type { RedisKeys } from './keys.js';

export class LostClaims {
  private count = 0;
  /** Record keys of claims that failed, by lane, until a claim of that lane succeeds. */
  private readonly byLane = new Map<string, string[]>();

  constructor(
    private readonly keys: RedisKeys,
    private readonly origin: string,
  ) {}

  /** The record key for a new claim. */
  nextKey(): string {
    return this.keys.claim(this.origin, ++this.count);
  }

  /** The lane's claims whose outcome is unknown. */
  of(lane: string): readonly string[] {
    return this.byLane.get(lane) ?? [];
  }

  /** A claim of the lane failed: it may have leased jobs. */
  add(lane: string, key: string): void {
    this.byLane.set(lane, [...this.of(lane), key]);
  }

  /** A claim of the lane returned the jobs of these lost claims. */
  settle(lane: string, keys: readonly string[]): void {
    const left = this.of(lane).filter((key) => !keys.includes(key));
    if (left.length > 0) this.byLane.set(lane, left);
    else this.byLane.delete(lane);
  }
}

/**
 * One keep-alive connection pool per target origin, each with its own cap on requests in
 * flight, so one slow target cannot hold every callback slot: the dispatcher asks `admit`
 * before starting a job and leaves a job whose target is full waiting (held, still leased)
 * while jobs for other targets start. Pools to origins other than the app URL resolve names
 * through the outbound guard's lookup, which refuses disallowed addresses.
 */
import { Pool } from 'undici';
import { hostOf, portOf, type OutboundGuard } from './outbound-guard.js';

interface PoolEntry {
  pool: Pool;
  inFlight: number;
  cap: number;
}

export interface TargetPoolsOptions {
  appOrigin: string;
  /** Requests in flight to the app URL: every callback slot. */
  appConnections: number;
  /** Requests in flight to any other one origin. */
  targetConnections: number;
  guard: OutboundGuard;
}

/** Idle pools beyond this many are closed (jobs may name many one-off targets). */
const MAX_POOLS = 256;

export class TargetPools {
  private readonly pools = new Map<string, PoolEntry>();

  constructor(private readonly options: TargetPoolsOptions) {}

  /** Whether a request to `origin` may start now (its cap is not reached). */
  admit(origin: string): boolean {
    const entry = this.pools.get(origin);
    return entry === undefined || entry.inFlight < entry.cap;
  }

  /** Counts a request to `origin` in; call the returned function once it is over. */
  acquire(origin: string): { pool: Pool; release: () => void } {
    const entry = this.entry(origin);
    entry.inFlight++;
    let released = false;
    return {
      pool: entry.pool,
      release: () => {
        if (released) return;
        released = true;
        entry.inFlight--;
      },
    };
  }

  private entry(origin: string): PoolEntry {
    const existing = this.pools.get(origin);
    if (existing) return existing;
    if (this.pools.size >= MAX_POOLS) this.closeIdle();
    const trusted = origin === this.options.appOrigin || this.options.guard.isTrusted(origin);
    const cap = origin === this.options.appOrigin ? this.options.appConnections : this.options.targetConnections;
    const url = new URL(origin);
    const pool = new Pool(origin, {
      connections: cap,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // The attempt's own AbortSignal enforces the job's timeout; undici's defaults (300 s) must not cut in first.
      headersTimeout: 0,
      bodyTimeout: 0,
      ...(trusted ? {} : { connect: { lookup: this.options.guard.lookupFor(hostOf(url), portOf(url)) } }),
    });
    const entry = { pool, inFlight: 0, cap };
    this.pools.set(origin, entry);
    return entry;
  }

  private closeIdle(): void {
    for (const [origin, entry] of this.pools) {
      if (entry.inFlight === 0 && origin !== this.options.appOrigin) {
        this.pools.delete(origin);
        void entry.pool.close();
      }
    }
  }

  async close(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(entries.map((entry) => entry.pool.close()));
  }
}

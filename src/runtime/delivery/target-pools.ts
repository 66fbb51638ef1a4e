/**
 * One keep-alive connection pool per target origin, each with its own cap on requests in
 * flight, so one slow target cannot hold every callback slot: the dispatcher asks `admit`
 * before starting a job and leaves a job whose target is full waiting (held, still leased)
 * while jobs for other targets start. Pools to origins other than the app URL resolve names
 * through the outbound guard's lookup, which refuses disallowed addresses.
 */
import { buildConnector, Pool } from 'undici';
import { hostOf, portOf, type OutboundGuard } from './outbound-guard.js';
import { firstConnectOptions, Preconnector } from './preconnector.js';

interface PoolEntry {
  pool: Pool;
  inFlight: number;
  cap: number;
  connector: Preconnector;
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

  /**
   * A request to `origin` is coming soon: open a connection for it now if the pool has none
   * open (preconnector.ts). Only the app's origin and origins already connected to; cheap
   * enough to call for every job claimed ahead of its time.
   */
  prepare(origin: string): void {
    (origin === this.options.appOrigin ? this.entry(origin) : this.pools.get(origin))?.connector.prepare();
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
    // The connector undici would build from these options itself, wrapped to connect ahead.
    const connector = new Preconnector(
      buildConnector(trusted ? {} : { lookup: this.options.guard.lookupFor(hostOf(url), portOf(url)) }),
      // The app's first connection may be opened ahead too (its jobs are the ones that wait).
      origin === this.options.appOrigin ? firstConnectOptions(url) : null,
    );
    const pool = new Pool(origin, {
      connections: cap,
      pipelining: 1,
      keepAliveTimeout: 30_000,
      // The attempt's own AbortSignal enforces the job's timeout; undici's defaults (300 s) must not cut in first.
      headersTimeout: 0,
      bodyTimeout: 0,
      connect: connector.connect,
    });
    const entry = { pool, inFlight: 0, cap, connector };
    this.pools.set(origin, entry);
    return entry;
  }

  private closeIdle(): void {
    for (const [origin, entry] of this.pools) {
      if (entry.inFlight === 0 && origin !== this.options.appOrigin) {
        this.pools.delete(origin);
        entry.connector.close();
        void entry.pool.close();
      }
    }
  }

  async close(): Promise<void> {
    const entries = [...this.pools.values()];
    this.pools.clear();
    for (const entry of entries) entry.connector.close();
    await Promise.all(entries.map((entry) => entry.pool.close()));
  }
}

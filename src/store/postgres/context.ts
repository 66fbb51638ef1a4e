/**
 * The connection pool and the two ways to talk through it: one statement on any pooled
 * connection (`query`), or a transaction on one connection (`transaction`). Driver types
 * stay in this folder: callers see rows and domain errors only.
 */
import { createHash, randomUUID } from 'node:crypto';
import pg from 'pg';
import { ScheduleCreator } from './create-schedules.js';
import { isLockNotAvailable, isTransient, isUnavailable, mapPgError } from './errors.js';
import { InsertBatcher } from './insert-jobs.js';
import type { ResolvedPostgresOptions } from './options.js';
import type { PgSession, QueryOptions, Queryable, TransactionOptions } from './queryable.js';

/**
 * How long to wait for a connection before giving up. Short, so API calls during an outage
 * fail with STORE_UNAVAILABLE instead of hanging (a refused connection fails at once anyway;
 * this bounds a server that accepts TCP but never answers).
 */
const CONNECT_TIMEOUT_MS = 3_000;
/** Server-side bound on one statement; a 10k-row insert statement takes about 0.2 s. */
const STATEMENT_TIMEOUT_MS = 20_000;
/** Client-side bound, for a server that stopped answering without closing the socket. */
const QUERY_TIMEOUT_MS = 25_000;
/** A node that dies inside a transaction must not hold its row locks for long. */
const IDLE_IN_TRANSACTION_TIMEOUT_MS = 30_000;
/** Deadlock victims and NOWAIT lock conflicts run again, a few times, after a short pause. */
const TRANSACTION_ATTEMPTS = 8;

const INT8_OID = 20;

function ignoreError(): void {}

/**
 * BIGINT epoch-ms times and counts come back as numbers (pg's default is a string). Set per
 * pool, not on the global `pg.types`, so other users of `pg` in the process are unaffected.
 */
const TYPES = {
  getTypeParser(oid: number, format?: 'text' | 'binary') {
    if (oid === INT8_OID && format !== 'binary') return (value: string) => Number(value);
    return pg.types.getTypeParser(oid, format as 'text');
  },
} as pg.CustomTypesConfig;

export type { QueryOptions, Queryable, TransactionOptions } from './queryable.js';

/**
 * The session settings of the claim connections (see QueryOptions.genericPlans), run once on
 * each before its first claim. Not libpq's startup `options`: PgBouncer refuses or drops
 * startup parameters it does not track.
 */
const GENERIC_PLANS = 'SET plan_cache_mode = force_generic_plan; SET jit = off';
/** Connections of the claim pool: each lane has one claim out at a time, and a node rarely runs more than two lanes. */
const CLAIM_POOL_SIZE = 2;

export class PgDatabase implements PgSession {
  /** The quoted schema, to prefix table names: `${db.s}.jobs`. */
  readonly s: string;
  /** The NOTIFY channel of the schema. */
  readonly channel: string;
  /** Tags this store's notifications, so its own listener skips the echo of what it emitted locally. */
  readonly origin = randomUUID();
  private readonly pool: pg.Pool;
  /** Connections for the statements written to plan well without their values: the claims (QueryOptions.genericPlans). */
  private readonly claimPool: pg.Pool;
  /** The claim connections whose session has GENERIC_PLANS set. */
  private readonly planned = new WeakSet<pg.PoolClient>();
  private readonly statementNames = new Map<string, string>();
  private closed = false;
  /** Job inserts of one event-loop turn, merged into one statement. */
  readonly inserts: InsertBatcher = new InsertBatcher(this);
  /** Schedule creates of one event-loop turn, in one transaction. */
  readonly creates: ScheduleCreator = new ScheduleCreator(this);

  constructor(readonly options: ResolvedPostgresOptions) {
    this.s = options.qualifier;
    this.channel = options.channel;
    this.pool = this.createPool(options.poolSize, 'chime');
    this.claimPool = this.createPool(CLAIM_POOL_SIZE, 'chime-claims');
  }

  private createPool(max: number, applicationName: string): pg.Pool {
    const pool = new pg.Pool({
      connectionString: this.options.connectionString,
      max,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      idleTimeoutMillis: 30_000,
      statement_timeout: STATEMENT_TIMEOUT_MS,
      query_timeout: QUERY_TIMEOUT_MS,
      idle_in_transaction_session_timeout: IDLE_IN_TRANSACTION_TIMEOUT_MS,
      keepAlive: true,
      application_name: applicationName,
      types: TYPES,
    });
    // An idle connection dropped by a server restart must not crash the process; the pool
    // discards it and the next call opens a fresh one (or fails with STORE_UNAVAILABLE).
    pool.on('error', () => undefined);
    // Nor may any 'error' of a connection handed out. pg-pool stops listening when it hands
    // a connection over, and the taker's own listener comes a microtask later: a FATAL message
    // parsed from the same socket read as the connection's ReadyForQuery (pg_terminate_backend
    // right after a reconnect) is emitted in between, unheard, and crashes the process (the
    // chaos test's cut-connections, 2 runs in 30 under load). 'connect' fires for each new
    // connection before any hand-over. A query's failure still reaches its caller.
    pool.on('connect', (client) => client.on('error', ignoreError));
    return pool;
  }

  /** Client settings for a connection outside the pool (the LISTEN connection). */
  clientConfig(): pg.ClientConfig {
    return {
      connectionString: this.options.connectionString,
      connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
      keepAlive: true,
      application_name: 'chime-listen',
      types: TYPES,
    };
  }

  async query<R extends object = Record<string, unknown>>(
    text: string,
    values: readonly unknown[] = [],
    options: QueryOptions = {},
  ): Promise<R[]> {
    try {
      if (!options.genericPlans) return (await this.pool.query<R & pg.QueryResultRow>(this.config(text, values, options))).rows;
      const client = await this.checkOut(this.claimPool);
      try {
        const result = await client.query<R & pg.QueryResultRow>(this.config(text, values, options));
        this.checkIn(client);
        return result.rows;
      } catch (error) {
        this.checkIn(client, error); // as pg's pool.query does: a failed query's connection is not reused
        throw error;
      }
    } catch (error) {
      throw mapPgError(error);
    }
  }

  /**
   * Runs `fn` in one transaction on one connection. Deadlock victims (40P01), serialization
   * failures and NOWAIT lock conflicts (55P03, see schedules.ts) roll back and run again, so
   * `fn` must be safe to repeat (it is: everything it does is inside the transaction).
   */
  async transaction<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions = {}): Promise<T> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await this.transactionOnce(fn, options);
      } catch (error) {
        const retry = (isTransient(error) || isLockNotAvailable(error)) && attempt < TRANSACTION_ATTEMPTS;
        if (!retry) throw mapPgError(error);
        await new Promise((resolve) => setTimeout(resolve, attempt * 2 + Math.random() * 5));
      }
    }
  }

  private async transactionOnce<T>(fn: (tx: Queryable) => Promise<T>, options: TransactionOptions): Promise<T> {
    const client = await this.checkOut(options.genericPlans ? this.claimPool : this.pool);
    const tx: Queryable = {
      query: async <R extends object>(text: string, values: readonly unknown[] = [], options: QueryOptions = {}) =>
        (await client.query<R & pg.QueryResultRow>(this.config(text, values, options))).rows,
    };
    try {
      await client.query('BEGIN');
      const value = await fn(tx);
      await client.query('COMMIT');
      this.checkIn(client);
      return value;
    } catch (error) {
      if (isUnavailable(error)) {
        this.checkIn(client, error); // the connection is broken: destroy, do not reuse
      } else {
        try {
          await client.query('ROLLBACK');
          this.checkIn(client);
        } catch (rollbackError) {
          this.checkIn(client, rollbackError);
        }
      }
      throw error;
    }
  }

  /**
   * A pooled connection for the migration transaction, which manages BEGIN/COMMIT itself.
   * On failure the connection is destroyed rather than returned mid-transaction.
   */
  async withClient<T>(fn: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    let client: pg.PoolClient;
    try {
      client = await this.checkOut(this.pool);
    } catch (error) {
      throw mapPgError(error);
    }
    try {
      const value = await fn(client);
      this.checkIn(client);
      return value;
    } catch (error) {
      this.checkIn(client, error ?? true);
      throw mapPgError(error);
    }
  }

  /**
   * A pooled connection; it always has an 'error' listener (the pool's 'connect' above). A
   * claim connection gets its session settings before its first use.
   */
  private async checkOut(pool: pg.Pool): Promise<pg.PoolClient> {
    const client = await pool.connect();
    if (pool === this.claimPool && !this.planned.has(client)) {
      try {
        await client.query(GENERIC_PLANS);
      } catch (error) {
        this.checkIn(client, error);
        throw error;
      }
      this.planned.add(client);
    }
    return client;
  }

  private checkIn(client: pg.PoolClient, error?: unknown): void {
    client.release(error === undefined ? undefined : error instanceof Error ? error : true);
  }

  async end(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all([this.pool.end(), this.claimPool.end()]);
  }

  /** Named statements: one name per distinct SQL text, so a text is parsed once per connection. */
  private config(text: string, values: readonly unknown[], options: QueryOptions): pg.QueryConfig {
    if (options.prepare === false) return { text, values: values as unknown[] };
    let name = this.statementNames.get(text);
    if (!name) {
      name = `chime_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
      this.statementNames.set(text, name);
    }
    return { name, text, values: values as unknown[] };
  }
}

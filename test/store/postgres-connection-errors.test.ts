/**
 * A pooled connection's 'error' never crashes the process (store/postgres/context.ts).
 * pg-pool stops listening for 'error' when it hands a connection over, and the taker's own
 * listener can only come a microtask later; a FATAL message parsed from the same socket read as
 * the connection's ReadyForQuery (pg_terminate_backend right after a reconnect, the chaos
 * test's cut-connections) is emitted in between. A real server cannot be made to split its
 * packets so, so the error is emitted at that moment: synchronously after the hand-over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../src/store/postgres/context.js';
import { resolvePostgresOptions } from '../../src/store/postgres/options.js';
import { POSTGRES_URL } from '../support/store-backend.js';

interface PoolInternals {
  _acquireClient(client: { emit(event: string, error: Error): boolean }, ...rest: unknown[]): void;
}

describe('PostgreSQL connection errors', () => {
  const db = new PgDatabase(resolvePostgresOptions({ connectionString: POSTGRES_URL, schema: 'chime_conn_errors' }));

  afterAll(() => db.end());

  it('are heard between the pool handing a connection over and its taker listening', async () => {
    const pool = (db as unknown as { pool: PoolInternals }).pool;
    const handOver = pool._acquireClient.bind(pool);
    let emitted = 0;
    pool._acquireClient = (client, ...rest) => {
      handOver(client, ...rest);
      if (emitted++ === 0) client.emit('error', new Error('terminating connection due to administrator command'));
    };
    let escaped: unknown;
    try {
      await db.withClient(async (client) => (await client.query('SELECT 1')).rows);
    } catch (error) {
      escaped = error; // the query may fail on the connection said to be dead: that is the caller's answer
    }
    expect(emitted).toBeGreaterThan(0);
    expect(String(escaped ?? '')).not.toMatch(/Unhandled/);
    // The pool goes on: a fresh connection answers.
    pool._acquireClient = handOver;
    expect(await db.withClient(async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows)).toEqual([{ one: 1 }]);
  });
});

/**
 * A pooled connection's 'error' never crashes the process (store/postgres/context.ts).
 * pg-pool stops listening for 'error' when it hands a connection over, and the taker's own
 * listener could only come a microtask later; a FATAL message parsed from the same socket read
 * as the connection's ReadyForQuery (pg_terminate_backend right after a reconnect, the chaos
 * test's cut-connections) is emitted in between. A real server cannot be made to split its
 * packets so; the test looks at that moment instead: synchronously after the hand-over.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PgDatabase } from '../../src/store/postgres/context.js';
import { resolvePostgresOptions } from '../../src/store/postgres/options.js';
import { POSTGRES_URL } from '../support/store-backend.js';

interface HandedOver {
  listenerCount(event: string): number;
  emit(event: string, error: Error): boolean;
}

/** pg-pool's hand-over of a connection to whoever asked for one (a private method). */
interface PoolInternals {
  _acquireClient(client: HandedOver, ...rest: unknown[]): void;
}

describe('PostgreSQL connection errors', () => {
  const db = new PgDatabase(resolvePostgresOptions({ connectionString: POSTGRES_URL, schema: 'chime_conn_errors' }));

  afterAll(() => db.end());

  it('are heard between the pool handing a connection over and its taker listening', async () => {
    const pool = (db as unknown as { pool: PoolInternals }).pool;
    const handOver = pool._acquireClient.bind(pool);
    const listenersAtHandOver: number[] = [];
    pool._acquireClient = (client, ...rest) => {
      handOver(client, ...rest);
      listenersAtHandOver.push(client.listenerCount('error'));
      // An error at this moment is heard, not thrown.
      if (client.listenerCount('error') > 0) client.emit('error', new Error('terminating connection due to administrator command'));
    };
    try {
      // The query may fail on the connection just said to be dead: that is its caller's answer.
      await db.withClient(async (client) => (await client.query('SELECT 1')).rows).catch(() => undefined);
    } finally {
      pool._acquireClient = handOver;
    }
    expect(listenersAtHandOver.length).toBeGreaterThan(0);
    expect(listenersAtHandOver.every((count) => count > 0)).toBe(true);
    // The pool goes on: a connection answers.
    expect(await db.withClient(async (client) => (await client.query<{ one: number }>('SELECT 1 AS one')).rows)).toEqual([{ one: 1 }]);
  });
});

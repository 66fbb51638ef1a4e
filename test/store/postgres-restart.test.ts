/**
 * A private PostgreSQL server, stopped and started under a store in use: the store reports
 * unhealthy and fails fast while it is down, then recovers on its own, and its LISTEN
 * connection comes back (a null "re-read" signal, then other nodes' signals again).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createPostgresStore, type PostgresStore } from '../../src/store/postgres/index.js';
import type { DueSignal } from '../../src/store/store.js';
import { T0, newJob } from '../support/fixtures.js';
import { PrivatePostgres } from '../support/private-stores.js';
import { waitFor } from '../support/receiver.js';

describe('PostgreSQL store across a server restart', () => {
  const server = new PrivatePostgres();
  let a: PostgresStore;
  let b: PostgresStore;

  beforeAll(async () => {
    await server.init();
    server.start();
    a = createPostgresStore({ connectionString: server.url, schema: 'chime', useStoreClock: false });
    b = createPostgresStore({ connectionString: server.url, schema: 'chime', useStoreClock: false });
    await Promise.all([a.open(), b.open()]);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([a?.close(), b?.close()]);
    server.destroy();
  });

  it('fails fast while the server is down, then recovers and listens again', async () => {
    const seen: { signal: DueSignal | null; at: number }[] = [];
    a.onDue((signal) => seen.push({ signal, at: Date.now() }));
    await b.insertJobs([newJob({ runAt: T0 })]);
    await waitFor(() => seen.some((s) => s.signal?.runAt === T0), 2000);

    server.stop();
    expect((await a.health()).ok).toBe(false);
    const start = performance.now();
    const error = await a.getJob('x').catch((e: unknown) => e);
    expect(performance.now() - start).toBeLessThan(4000);
    expect(error).toBeInstanceOf(ChimeError);
    expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');

    const restartedAt = Date.now();
    server.start();
    await waitFor(async () => (await a.health()).ok, 10_000);
    // The LISTEN connection reconnects (backoff capped at 5 s) and asks for a full re-read.
    await waitFor(() => seen.some((s) => s.signal === null && s.at >= restartedAt), 10_000);
    // Other nodes' signals arrive again.
    await b.insertJobs([newJob({ runAt: T0 + 1 })]);
    await waitFor(() => seen.some((s) => s.signal?.runAt === T0 + 1), 2000);
    expect((await a.listJobs({ limit: 10, offset: 0, orderBy: 'created_at', orderDir: 'asc' })).total).toBe(2);
  }, 60_000);
});

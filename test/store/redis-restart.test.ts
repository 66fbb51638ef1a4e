/**
 * A private redis-server (append-only file on) killed with SIGKILL and restarted under a
 * store in use: the store reports unhealthy and fails fast meanwhile, then recovers by
 * itself, pub/sub resumes (with a null signal for what it may have missed), and no
 * acknowledged job is lost.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChimeError } from '../../src/core/errors.js';
import { createRedisStore } from '../../src/store/redis/index.js';
import type { DueSignal } from '../../src/store/store.js';
import { T0, newJob } from '../support/fixtures.js';
import { PrivateRedis } from '../support/private-stores.js';
import { waitFor } from '../support/receiver.js';
import { uniquePrefix } from './redis-support.js';

// appendfsync always: a SIGKILL of the server then loses nothing it acknowledged.
const server = new PrivateRedis('always');
beforeAll(() => server.start());
afterAll(() => server.kill());

describe('Redis store across a server restart', () => {
  it('reports the outage, recovers by itself, resumes pub/sub and keeps every acknowledged job', async () => {
    const prefix = uniquePrefix();
    const url = server.url;
    const writer = createRedisStore({ url, prefix, useStoreClock: false });
    const reader = createRedisStore({ url, prefix, useStoreClock: false });
    await Promise.all([writer.open(), reader.open()]);
    try {
      expect(writer.warnings).toEqual([]);
      const seen: (DueSignal | null)[] = [];
      reader.onDue((signal) => seen.push(signal));
      const before = Array.from({ length: 500 }, (_, i) => newJob({ runAt: T0 + i }));
      await writer.insertJobs(before);

      await server.kill();
      await waitFor(async () => !(await writer.health()).ok, 2000);
      const started = performance.now();
      const error = await writer.insertJobs([newJob()]).catch((e: unknown) => e);
      // Fails at once rather than queueing for the reconnect (seconds); a margin for a loaded machine.
      expect(performance.now() - started).toBeLessThan(1000);
      expect((error as ChimeError).code).toBe('STORE_UNAVAILABLE');

      await server.start();
      await waitFor(async () => (await writer.health()).ok, 10_000);
      // The subscriber came back too and said so with a null signal.
      await waitFor(async () => seen.includes(null), 5000);
      const after = newJob({ runAt: T0 + 9999 });
      await writer.insertJobs([after]);
      await waitFor(async () => seen.some((s) => s !== null && s.runAt === T0 + 9999), 2000);

      const page = await reader.listJobs({ limit: 1000, offset: 0, orderBy: 'created_at', orderDir: 'asc' });
      expect(page.total).toBe(501);
      const ids = new Set(page.items.map((j) => j.id));
      expect(before.every((job) => ids.has(job.id)) && ids.has(after.id)).toBe(true);
    } finally {
      await Promise.all([writer.close(), reader.close()]);
    }
  });
});

/**
 * The publishing side on its own: through an outage the backlog past the memory cap waits only
 * in the spool and comes back from it in order; nothing is lost or reordered.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import type { JobLifecycleEvent } from '../../src/events/cloudevent.js';
import { EventPump } from '../../src/events/event-pump.js';
import { EventSpool } from '../../src/events/event-spool.js';
import { RedisStreamSink } from '../../src/events/redis-stream-sink.js';
import { TcpProxy } from '../support/private-brokers.js';
import { waitFor } from '../support/receiver.js';
import { tempDir } from '../support/temp.js';
import { REDIS_URL } from '../support/store-backend.js';

const redis = new Redis(REDIS_URL);
afterAll(() => redis.disconnect());

function fired(n: number): JobLifecycleEvent {
  const job = {
    jobId: `job-${n}`,
    name: `pump-${n}`,
    target: 'callback' as const,
    queue: '$callbacks',
    taskName: null,
    scheduleId: null,
    dialect: 'envelope' as const,
    occurrence: 1_736_951_400_000 + n,
    runAt: 1_736_951_400_000 + n,
    attempt: 1,
    payload: `{"n":${n}}`,
    metadata: '{}',
    delivery: null,
    traceparent: null,
  };
  return { type: 'job.fired', at: job.runAt, job, lateMs: 0, nodeId: 'test' };
}

describe('event pump', () => {
  it('keeps at most maxInMemory events in memory through an outage and publishes all, in order, from the spool', async () => {
    const stream = `chime-test:pump:${randomBytes(4).toString('hex')}`;
    const proxy = new TcpProxy(6379);
    await proxy.resume();
    await proxy.cut(); // the broker is unreachable to begin with; the port stays ours
    const sink = new RedisStreamSink(`redis://127.0.0.1:${proxy.port}?stream=${stream}`);
    const logs: string[] = [];
    const pump = new EventPump(sink, new EventSpool(tempDir()), { source: '/chime', batchSize: 50, maxInMemory: 100, log: (_l, m) => logs.push(m) });
    try {
      for (let n = 0; n < 1000; n += 10) pump.add(Array.from({ length: 10 }, (_, k) => fired(n + k)));
      expect(pump.pending).toBe(1000);
      expect(pump.inMemory).toBe(100);
      await waitFor(() => pump.failures > 0, 10_000, 'a failed attempt');
      expect(pump.inMemory).toBeLessThanOrEqual(100);

      await proxy.resume();
      await waitFor(() => pump.pending === 0, 30_000, 'the backlog to drain');
      const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
      const ids = entries.map(([, fields]) => fields[fields.indexOf('id') + 1]);
      expect(ids).toEqual(Array.from({ length: 1000 }, (_, n) => `job-${n}.fired.1`));
      expect(pump.published).toBe(1000);
      expect(logs.some((m) => /failed; retrying/.test(m))).toBe(true);
    } finally {
      await pump.close(0);
      await proxy.cut();
      await redis.del(stream);
    }
  });
});

/**
 * The engine on the PostgreSQL store, two servers sharing one schema on one virtual clock:
 * every occurrence is delivered exactly once across the nodes, never before its time.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { createLogger } from '../../src/server/logger.js';
import { resolveServerOptions, type RawOptions, type ServerOptions } from '../../src/server/options.js';
import { startServer, type ChimeServer } from '../../src/server/start-server.js';
import { createPostgresStore } from '../../src/store/postgres/index.js';
import { T0, firstJob, newSchedule } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { TEST_JWT_SECRET } from '../support/server.js';
import { POSTGRES_URL } from '../support/store-backend.js';

const CONNECTION = POSTGRES_URL;
const schemas: string[] = [];

async function startNode(schema: string, clock: VirtualClock | undefined, appUrl: string, nodeId: string): Promise<ChimeServer> {
  const options: ServerOptions = {
    ...resolveServerOptions({} as RawOptions, {}),
    port: 0,
    grpcPort: null,
    store: CONNECTION,
    appUrl,
    jwtSecret: TEST_JWT_SECRET,
    logLevel: 'error',
    nodeId,
  };
  // On the virtual clock of 2030 the database clock would hold every job back.
  const store = createPostgresStore({ connectionString: CONNECTION, schema, useStoreClock: clock === undefined });
  return startServer(options, { clock, logger: createLogger('error'), store });
}

afterAll(async () => {
  const client = new pg.Client({ connectionString: CONNECTION });
  await client.connect();
  for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  await client.end();
});

describe('the engine on PostgreSQL, two nodes', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let nodes: ChimeServer[];

  beforeEach(async () => {
    const schema = `chime_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    // One after the other: the first creates the schema, the second finds it.
    nodes = [await startNode(schema, clock, appUrl, 'node-a'), await startNode(schema, clock, appUrl, 'node-b')];
  });

  afterEach(async () => {
    await Promise.all(nodes.map((node) => node.close()));
    await receiver.stop();
  });

  it('delivers each occurrence once across the nodes, never early', async () => {
    const [a, b] = nodes as [ChimeServer, ChimeServer];
    for (let i = 0; i < 20; i++) {
      const node = i % 2 === 0 ? a : b;
      const response = await node.app.inject({
        method: 'POST',
        url: `/v1.0/jobs/once-${i}`,
        payload: { dueTime: `${1 + (i % 5)}s`, data: { i } },
      });
      expect(response.statusCode, response.body).toBeLessThan(300);
    }
    const recurring = await b.app.inject({
      method: 'POST',
      url: '/v1.0/jobs/every',
      payload: { schedule: '@every 1s', repeats: 5, data: 'tick' },
    });
    expect(recurring.statusCode, recurring.body).toBeLessThan(300);
    // Small steps with a real pause after each: the store answers over the network, and a
    // virtual second that passes while a claim is in flight would make every firing late.
    for (let elapsed = 0; elapsed < 7000; elapsed += 50) {
      await clock.advance(50);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await waitFor(() => receiver.received.length >= 25, 5000, 'all deliveries');
    await new Promise((resolve) => setTimeout(resolve, 200)); // any duplicate would arrive by now
    for (let i = 0; i < 20; i++) expect(receiver.forJob(`once-${i}`), `once-${i}`).toHaveLength(1);
    expect(receiver.forJob('every')).toHaveLength(5);
    for (const call of receiver.received) {
      const body = call.body as { scheduled_time: string; actual_time: string };
      const late = Date.parse(body.actual_time) - Date.parse(body.scheduled_time);
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    }
  });
});

describe('the engine on PostgreSQL, wall clock', () => {
  it('fires a job written by another process on time, woken by NOTIFY', async () => {
    const schema = `chime_t_${randomBytes(6).toString('hex')}`;
    schemas.push(schema);
    const receiver = new Receiver();
    const appUrl = await receiver.start();
    const nodes = [await startNode(schema, undefined, appUrl, 'node-a'), await startNode(schema, undefined, appUrl, 'node-b')];
    // A bare store, like another process: the nodes can only learn of its jobs by NOTIFY
    // (or their once-a-second re-read, which would make these firings up to a second late).
    const writer = createPostgresStore({ connectionString: CONNECTION, schema });
    await writer.open();
    try {
      const due = new Map<string, number>();
      for (let i = 0; i < 5; i++) {
        const s = newSchedule({ recurrence: { kind: 'once' }, createdAt: Date.now(), updatedAt: Date.now() });
        const at = Date.now() + 100 + i * 50;
        due.set(s.name, at);
        await writer.createSchedule({ ...s, startAt: at, nextRunAt: at }, firstJob(s, at), 'create');
      }
      await waitFor(() => receiver.received.length >= 5, 5000, 'five deliveries');
      const lateness = receiver.received.map((call) => call.at - due.get((call.body as { job_name: string }).job_name)!);
      for (const late of lateness) {
        expect(late).toBeGreaterThanOrEqual(0);
        // Typically a few ms; well under the 1 s re-read, the margin a loaded machine needs.
        expect(late).toBeLessThan(900);
      }
    } finally {
      await writer.close();
      await Promise.all(nodes.map((node) => node.close()));
      await receiver.stop();
    }
  });
});

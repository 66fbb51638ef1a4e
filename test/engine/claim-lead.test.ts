/**
 * How far ahead of its due time a job is claimed: 50 ms on PostgreSQL, whose claim waits for
 * a commit's fsync, 10 ms on the other stores. The claimed job is held (`reserved`) and still
 * starts exactly at its due time; deleting or replacing its job on this node in that time
 * keeps it from firing.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { ENGINE_TUNABLES } from '../../src/server/engine-setup.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer } from '../support/server.js';

describe('the claim lead', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer;

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    server = await startTestServer({ clock, appUrl: await receiver.start() });
  });

  afterEach(async () => {
    await server.close();
    await receiver.stop();
  });

  const statusOf = async (name: string) => (await server.store.listJobs({ name, limit: 1, offset: 0, orderBy: 'run_at', orderDir: 'asc' })).items[0]?.status;

  it('claims a job its store\'s lead before its due time and starts it on time', async () => {
    const lead = server.store.backend === 'postgres' ? ENGINE_TUNABLES.postgresLeadMs : ENGINE_TUNABLES.leadMs;
    const created = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/led', payload: { dueTime: '10s', data: 1 } });
    expect(created.statusCode, created.body).toBeLessThan(300);
    await clock.advanceTo(T0 + 10_000 - lead - 1);
    expect(await statusOf('led')).toBe('pending');
    await clock.advanceTo(T0 + 10_000 - lead);
    await server.engine.whenSettled();
    expect(await statusOf('led')).toBe('reserved');
    await clock.advanceTo(T0 + 9_999);
    expect(receiver.received).toHaveLength(0);
    await clock.advanceTo(T0 + 10_000);
    await waitFor(() => receiver.received.length === 1, 5000, 'the callback');
    expect(receiver.received[0]!.body).toMatchObject({ actual_time: new Date(T0 + 10_000).toISOString() });
  });

  /** Creates a Dapr job due in 10 s and moves the clock to 5 ms before it: claimed and held. */
  const holdOne = async (name: string, data: unknown) => {
    const created = await server.app.inject({ method: 'POST', url: `/v1.0/jobs/${name}`, payload: { dueTime: '10s', data } });
    expect(created.statusCode, created.body).toBeLessThan(300);
    await clock.advanceTo(T0 + 10_000 - 5);
    await server.engine.whenSettled();
    expect(await statusOf(name)).toBe('reserved');
  };

  it('does not fire a held occurrence whose Dapr job was deleted here', async () => {
    await holdOne('gone', 1);
    const deleted = await server.app.inject({ method: 'DELETE', url: '/v1.0/jobs/gone' });
    expect(deleted.statusCode, deleted.body).toBe(200);
    await server.engine.whenSettled();
    await clock.advanceTo(T0 + 20_000);
    await server.engine.flush();
    expect(receiver.received).toHaveLength(0);
    expect(await statusOf('gone')).toBe('cancelled');
  });

  it('fires the replacement, not the held occurrence it replaced', async () => {
    await holdOne('swap', 'old');
    const replaced = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/swap', payload: { dueTime: '10s', data: 'new', overwrite: true } });
    expect(replaced.statusCode, replaced.body).toBeLessThan(300);
    await clock.advanceTo(T0 + 10_000);
    await server.engine.flush();
    expect(receiver.received).toHaveLength(0);
    await clock.advanceTo(T0 + 20_000 - 5);
    await waitFor(() => receiver.received.length === 1, 5000, 'the replacement');
    expect(receiver.received[0]!.body).toMatchObject({ data: 'new', scheduled_time: new Date(T0 + 20_000 - 5).toISOString() });
  });
});

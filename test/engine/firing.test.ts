/**
 * Firing, on a virtual clock: jobs fire at their occurrence and never before; repeats and
 * ttl bound recurring jobs; the callback carries scheduled_time and actual_time; a job is
 * claimed its store's lead ahead and a delete or replace here stops it in that time.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { ENGINE_TUNABLES } from '../../src/server/engine-setup.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer } from '../support/server.js';

describe('firing on a virtual clock', () => {
  let clock: VirtualClock;
  let receiver: Receiver;
  let server: ChimeServer;

  beforeEach(async () => {
    clock = new VirtualClock(T0);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    server = await startTestServer({ clock, appUrl });
  });

  afterEach(async () => {
    await server.close();
    await receiver.stop();
  });

  const schedule = async (name: string, body: unknown, dialect = 'v1.0') => {
    const response = await server.app.inject({ method: 'POST', url: `/${dialect}/jobs/${name}`, payload: body as object });
    expect(response.statusCode, response.body).toBeLessThan(300);
  };

  it('fires a one-shot job at its due time, not a millisecond before', async () => {
    await schedule('reminder', { dueTime: '10s', data: { task_id: 123, user_id: 'user-xyz' } });
    await clock.advance(9_999);
    expect(receiver.received).toHaveLength(0);
    await clock.advance(1);
    await waitFor(() => receiver.received.length === 1, 5000, 'the callback');
    const [call] = receiver.received;
    expect(call!.path).toBe('/api/jobs/trigger');
    expect(call!.body).toEqual({
      job_name: 'reminder',
      data: { task_id: 123, user_id: 'user-xyz' },
      scheduled_time: new Date(T0 + 10_000).toISOString(),
      actual_time: new Date(T0 + 10_000).toISOString(),
    });
    await server.engine.flush();
    await clock.advance(60_000);
    expect(receiver.received).toHaveLength(1);
    const view = (await server.app.inject({ url: '/v1.0/jobs/reminder' })).json();
    expect(view).toMatchObject({ status: 'completed', fire_count: 1, last_run_at: new Date(T0 + 10_000).toISOString(), next_run_at: null });
  });

  it('fires an absolute RFC 3339 due time exactly', async () => {
    const due = new Date(T0 + 90_500).toISOString();
    await schedule('absolute', { dueTime: due, data: 1 });
    await clock.advanceTo(T0 + 90_499);
    expect(receiver.received).toHaveLength(0);
    await clock.advanceTo(T0 + 90_500);
    await waitFor(() => receiver.received.length === 1);
    expect((receiver.received[0]!.body as { scheduled_time: string }).scheduled_time).toBe(due);
  });

  it('fires "*/1 * * * * *" with repeats 3 exactly three times, on second boundaries', async () => {
    await clock.advance(300); // start mid-second
    await schedule('every-second', { schedule: '*/1 * * * * *', repeats: 3, data: 'tick' });
    for (let i = 0; i < 6; i++) {
      await clock.advance(1000);
      await server.engine.flush();
    }
    await waitFor(() => receiver.received.length >= 3);
    expect(receiver.received.map((r) => (r.body as { scheduled_time: string }).scheduled_time)).toEqual([
      new Date(T0 + 1000).toISOString(),
      new Date(T0 + 2000).toISOString(),
      new Date(T0 + 3000).toISOString(),
    ]);
    expect((await server.app.inject({ url: '/v1.0/jobs/every-second' })).json()).toMatchObject({ status: 'completed', fire_count: 3 });
  });

  it('stops a schedule at its ttl', async () => {
    await schedule('bounded', { schedule: '@every 1s', ttl: '3500ms', data: null });
    for (let i = 0; i < 8; i++) {
      await clock.advance(1000);
      await server.engine.flush();
    }
    await waitFor(() => receiver.received.length >= 3);
    expect(receiver.received.map((r) => (r.body as { scheduled_time: string }).scheduled_time)).toEqual([
      new Date(T0 + 1000).toISOString(),
      new Date(T0 + 2000).toISOString(),
      new Date(T0 + 3000).toISOString(),
    ]);
    expect((await server.app.inject({ url: '/v1.0/jobs/bounded' })).json()).toMatchObject({ status: 'expired', fire_count: 3 });
  });

  it('starts a cron schedule at its dueTime, then follows the cron', async () => {
    await schedule('cron-from-due', { schedule: '0 */5 * * * *', dueTime: '90s', repeats: 3, data: 1 });
    await clock.advance(20 * 60_000);
    await waitFor(() => receiver.received.length >= 3);
    expect(receiver.received.map((r) => (r.body as { scheduled_time: string }).scheduled_time)).toEqual([
      new Date(T0 + 90_000).toISOString(),
      new Date(T0 + 300_000).toISOString(),
      new Date(T0 + 600_000).toISOString(),
    ]);
  });

  it('delivers Dapr-style to POST /job/{name} with the bare data for jobs made on /v1.0-alpha1', async () => {
    await schedule('dapr-job', { dueTime: '1s', data: { value: 'Running spice' } }, 'v1.0-alpha1');
    await clock.advance(1000);
    await waitFor(() => receiver.received.length === 1);
    expect(receiver.received[0]).toMatchObject({ path: '/job/dapr-job', body: { value: 'Running spice' } });
  });

  // The claim lead: a job is claimed 50 ms before it is due on PostgreSQL, whose claim waits
  // for a commit's fsync, 10 ms on the other stores, held `reserved`, and still starts on time;
  // deleting or replacing its job on this node in that time keeps it from firing.
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

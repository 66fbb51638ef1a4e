/**
 * Occurrences that fell due while no server ran follow each job's missed-fire policy.
 * The server stops, the virtual clock moves on ten minutes, a new server opens the file.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer } from '../support/server.js';
import { freshStoreSpec } from '../support/store-backend.js';

describe('missed-fire policies across downtime', () => {
  let receiver: Receiver;
  let server: ChimeServer | undefined;

  beforeEach(() => {
    receiver = new Receiver();
  });

  afterEach(async () => {
    await server?.close();
    await receiver.stop();
  });

  async function scenario(policy: string | undefined, body: Record<string, unknown> = {}) {
    const clock = new VirtualClock(T0);
    const appUrl = await receiver.start();
    const store = freshStoreSpec();
    const options = { clock, appUrl, store, missedFireThresholdMs: 5000 };
    server = await startTestServer(options);
    const payload = { schedule: '@every 1m', data: { policy }, ...body, ...(policy ? { missedFirePolicy: policy } : {}) };
    const created = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/minutely', payload });
    expect(created.statusCode, created.body).toBe(200);
    await clock.advance(60_000); // first firing at T0+1m, with the server up
    await waitFor(() => receiver.received.length === 1);
    await server.engine.flush();
    await server.close();
    await clock.advance(10 * 60_000 + 30_000); // down from T0+1m to T0+11m30s: 10 occurrences missed
    server = await startTestServer(options);
    await waitFor(() => server!.engine.activeJobs === 0);
    for (let i = 0; i < 20; i++) {
      await clock.advance(0);
      await waitFor(() => server!.engine.activeJobs === 0);
      await server.engine.flush();
    }
    return { clock, server };
  }

  const scheduledTimes = () => receiver.received.map((r) => (r.body as { scheduled_time: string }).scheduled_time);

  it('fire_once (default): the missed occurrences fire once, then the schedule resumes on its grid', async () => {
    const { clock, server } = await scenario(undefined);
    expect(scheduledTimes()).toEqual([new Date(T0 + 60_000).toISOString(), new Date(T0 + 120_000).toISOString()]);
    const view = (await server.app.inject({ url: '/v1.0/jobs/minutely' })).json();
    expect(view).toMatchObject({ fire_count: 2, next_run_at: new Date(T0 + 12 * 60_000).toISOString() });
    await clock.advance(30_000);
    await waitFor(() => receiver.received.length === 3);
    expect(scheduledTimes()[2]).toBe(new Date(T0 + 12 * 60_000).toISOString());
  });

  it('all: every missed occurrence fires once', async () => {
    await scenario('all');
    await waitFor(() => receiver.received.length === 11);
    // Claimed in order, but delivered concurrently: arrival order may interleave.
    expect(scheduledTimes().sort()).toEqual(Array.from({ length: 11 }, (_, i) => new Date(T0 + (i + 1) * 60_000).toISOString()));
  });

  it('skip: missed occurrences are skipped and recorded as such', async () => {
    const { clock, server } = await scenario('skip');
    expect(scheduledTimes()).toEqual([new Date(T0 + 60_000).toISOString()]);
    const history = (await server.app.inject({ url: '/v1.0/jobs/minutely/history' })).json().history;
    expect(history[0]).toMatchObject({ outcome: 'skipped', scheduled_time: new Date(T0 + 120_000).toISOString() });
    expect((await server.app.inject({ url: '/v1.0/jobs/minutely' })).json()).toMatchObject({
      fire_count: 1,
      next_run_at: new Date(T0 + 12 * 60_000).toISOString(),
    });
    await clock.advance(30_000);
    await waitFor(() => receiver.received.length === 2);
  });

  it('skip on a one-shot job missed during downtime: not delivered, job completed', async () => {
    const clock = new VirtualClock(T0);
    const appUrl = await receiver.start();
    const store = freshStoreSpec();
    server = await startTestServer({ clock, appUrl, store });
    await server.app.inject({ method: 'POST', url: '/v1.0/jobs/once', payload: { dueTime: '1m', missedFirePolicy: 'skip' } });
    await server.close();
    await clock.advance(5 * 60_000);
    server = await startTestServer({ clock, appUrl, store });
    await waitFor(async () => (await server!.app.inject({ url: '/v1.0/jobs/once' })).json().status === 'completed');
    expect(receiver.received).toHaveLength(0);
  });
});

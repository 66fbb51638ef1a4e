/**
 * gRPC app callbacks (`--app-protocol grpc`) on a virtual clock: OnJobEvent / OnJobEventAlpha1
 * at the due time for one-shot and cron jobs, retries per the job's failure policy, dead
 * letters, history, and Dapr's NOT_FOUND rule.
 */
import { status } from '@grpc/grpc-js';
import { afterEach, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { DaprGrpcClient, GrpcApp, packString, packValue, unpackValue } from '../support/dapr-grpc.js';
import { T0 } from '../support/fixtures.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { startTestServer } from '../support/server.js';

describe('gRPC app callbacks on a virtual clock', () => {
  let clock: VirtualClock;
  let app: GrpcApp;
  let server: ChimeServer;
  let client: DaprGrpcClient;

  async function setup(stable: boolean): Promise<void> {
    clock = new VirtualClock(T0);
    app = new GrpcApp();
    const appUrl = await app.start({ stable });
    server = await startTestServer({ clock, appUrl, appProtocol: 'grpc', grpcPort: 0 });
    client = new DaprGrpcClient(`127.0.0.1:${server.grpcPort}`);
  }

  afterEach(async () => {
    client.close();
    await server.close();
    await app.stop();
  });

  async function run(steps: number, stepMs: number): Promise<void> {
    for (let i = 0; i < steps; i++) {
      await clock.advance(stepMs);
      await waitFor(() => server.engine.activeJobs === 0, 5000, 'callbacks to finish');
      await server.engine.flush();
    }
  }

  const history = async (name: string) =>
    ((await server.app.inject({ url: `/v1.0/jobs/${name}/history` })).json().history as { outcome: string; scheduled_time: string; actual_time: string; attempt: number }[]).reverse();

  it('delivers a one-shot job through AppCallback.OnJobEvent at its due time', async () => {
    await setup(true);
    await client.call('ScheduleJob', { job: { name: 'once', due_time: '2s', data: packValue({ task_id: 9 }) } });
    await run(3, 1000);
    expect(app.events).toHaveLength(1);
    const [event] = app.events;
    expect(event).toMatchObject({
      service: 'AppCallback',
      name: 'once',
      method: 'job/once',
      content_type: 'type.googleapis.com/google.protobuf.Value',
      verb: 'POST',
      metadata: { 'chime-attempt': '1', 'chime-scheduled-time': new Date(T0 + 2000).toISOString() },
    });
    expect(unpackValue(event!.data)).toEqual({ task_id: 9 });
    // On the virtual clock a firing is exactly on time, as HTTP delivery is (test/engine/firing).
    expect(await history('once')).toEqual([
      expect.objectContaining({ outcome: 'succeeded', scheduled_time: new Date(T0 + 2000).toISOString(), actual_time: new Date(T0 + 2000).toISOString() }),
    ]);
  });

  it('falls back to AppCallbackAlpha.OnJobEventAlpha1 for an app without the stable service, for cron jobs too', async () => {
    await setup(false);
    await client.call('ScheduleJobAlpha1', { job: { name: 'every-2s', schedule: '*/2 * * * * *', repeats: 3, data: packString('tick') } });
    await server.app.inject({ method: 'POST', url: '/v1.0-alpha1/jobs/http-made', payload: { dueTime: '1s', data: 'hello' } });
    await run(8, 1000);
    const ticks = app.forJob('every-2s');
    expect(ticks.map((e) => e.service)).toEqual(['AppCallbackAlpha', 'AppCallbackAlpha', 'AppCallbackAlpha']);
    expect(ticks.map((e) => e.metadata['chime-scheduled-time'])).toEqual([2000, 4000, 6000].map((ms) => new Date(T0 + ms).toISOString()));
    expect(Buffer.from(ticks[0]!.data.value).equals(packString('tick').value)).toBe(true);
    expect(ticks[0]!.data.type_url).toBe('type.googleapis.com/google.protobuf.StringValue');
    // A job made over HTTP reaches a gRPC app too, its JSON data as a google.protobuf.Value.
    expect(unpackValue(app.forJob('http-made')[0]!.data)).toBe('hello');
    expect((await history('every-2s')).map((h) => h.actual_time)).toEqual([2000, 4000, 6000].map((ms) => new Date(T0 + ms).toISOString()));
  });

  it("retries a failing handler per the job's failure policy, then dead-letters it", async () => {
    await setup(true);
    app.respond = () => status.INTERNAL;
    await client.call('ScheduleJob', {
      job: { name: 'flaky', due_time: '1s', data: packValue({ n: 1 }), failure_policy: { constant: { interval: { seconds: 2 }, max_retries: 2 } } },
    });
    await run(12, 500);
    expect(app.forJob('flaky').map((e) => e.metadata['chime-attempt'])).toEqual(['1', '2', '3']);
    expect((await history('flaky')).map((h) => [h.outcome, h.actual_time])).toEqual([
      ['retrying', new Date(T0 + 1000).toISOString()],
      ['retrying', new Date(T0 + 3000).toISOString()],
      ['dead_lettered', new Date(T0 + 5000).toISOString()],
    ]);
    const dead = (await server.app.inject({ url: '/v1.0/dead-letters' })).json();
    expect(dead.dead_letters).toEqual([expect.objectContaining({ job_name: 'flaky', attempts: 3, data: { n: 1 } })]);
    expect(dead.dead_letters[0].error.message).toMatch(/gRPC INTERNAL: handler failed/);

    // Fixed app, retried dead letter: delivered.
    app.respond = () => status.OK;
    await server.app.inject({ method: 'POST', url: `/v1.0/dead-letters/${dead.dead_letters[0].id}/retry` });
    await run(2, 10);
    expect(app.forJob('flaky')).toHaveLength(4);
    expect((await server.app.inject({ url: '/v1.0/dead-letters' })).json().total).toBe(0);
  });

  it('drops a firing under the drop policy, and counts NOT_FOUND as delivered', async () => {
    await setup(true);
    app.respond = (event) => (event.name === 'dropped' ? status.UNAVAILABLE : status.NOT_FOUND);
    await client.call('ScheduleJob', { job: { name: 'dropped', due_time: '1s', failure_policy: { drop: {} } } });
    await client.call('ScheduleJob', { job: { name: 'no-handler', due_time: '1s' } });
    await run(6, 1000);
    expect(app.forJob('dropped')).toHaveLength(1);
    expect(app.forJob('no-handler')).toHaveLength(1);
    expect((await history('no-handler')).map((h) => h.outcome)).toEqual(['succeeded']);
    expect((await history('dropped')).map((h) => h.outcome)).toEqual(['dead_lettered']);
  });

  it('sends a job with its own HTTP target over HTTP, signed, while the others go over gRPC; APP_API_TOKEN on both', async () => {
    const target = new Receiver();
    const targetUrl = await target.start();
    try {
      clock = new VirtualClock(T0);
      app = new GrpcApp();
      const appUrl = await app.start({ stable: true });
      server = await startTestServer({ clock, appUrl, appProtocol: 'grpc', grpcPort: 0, allowTarget: [new URL(targetUrl).host], appApiToken: 'app-token-g' });
      client = new DaprGrpcClient(`127.0.0.1:${server.grpcPort}`);
      await server.app.inject({ method: 'POST', url: '/v1.0-alpha1/jobs/over-http', payload: { dueTime: '1s', data: { n: 1 }, target: { url: `${targetUrl}/in`, body: 'data' } } });
      await client.call('ScheduleJob', { job: { name: 'over-grpc', due_time: '1s', data: packValue({ n: 2 }) } });
      await run(2, 1000);
      expect(target.received.map((r) => [r.path, r.body])).toEqual([['/in', { n: 1 }]]);
      expect(target.received[0]!.headers['webhook-signature']).toMatch(/^v1,/);
      expect(app.events.map((e) => e.name)).toEqual(['over-grpc']);
      // APP_API_TOKEN reaches the app on both paths, as Dapr sends it (header / metadata).
      expect(target.received[0]!.headers['dapr-api-token']).toBe('app-token-g');
      expect(app.events[0]!.metadata['dapr-api-token']).toBe('app-token-g');
    } finally {
      await target.stop();
    }
  });
});

describe('HTTP delivery of jobs scheduled over gRPC', () => {
  it("sends Value data as its JSON and other Any data as its bytes, as Dapr's HTTP channel does", async () => {
    const clock = new VirtualClock(T0);
    const receiver = new Receiver();
    const server = await startTestServer({ clock, appUrl: await receiver.start(), grpcPort: 0 });
    const client = new DaprGrpcClient(`127.0.0.1:${server.grpcPort}`);
    try {
      // The Go SDK's habit: raw JSON bytes in an Any of the caller's own type.
      const raw = { type_url: 'example.com/order', value: Buffer.from(' {"order":17} \n') };
      await client.call('ScheduleJob', { job: { name: 'go-style', due_time: '1s', data: raw } });
      await client.call('ScheduleJob', { job: { name: 'bare-string', due_time: '1s', data: packValue('hello') } });
      await client.call('ScheduleJob', { job: { name: 'bare-number', due_time: '1s', data: packValue(42) } });
      await clock.advance(1000);
      await waitFor(() => receiver.received.length === 3, 5000, 'three callbacks');
      const body = (name: string) => receiver.received.find((r) => r.path === `/job/${name}`)?.rawBody;
      expect(body('go-style')).toBe('{"order":17}');
      // A bare JSON string or number goes out as JSON text, exactly as Dapr sends it.
      expect(body('bare-string')).toBe('"hello"');
      expect(body('bare-number')).toBe('42');
    } finally {
      client.close();
      await server.close();
      await receiver.stop();
    }
  });
});

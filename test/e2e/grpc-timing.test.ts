/**
 * Wall-clock gRPC between real processes: a `chime serve --app-protocol grpc` process, a Dapr
 * gRPC client scheduling on its gRPC port, and a gRPC app receiving OnJobEvent, never early
 * and promptly (the bench's gRPC-callback lateness rows give the figure beside HTTP's).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DaprGrpcClient, GrpcApp, packValue, unpackValue } from '../support/dapr-grpc.js';
import { startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { waitFor } from '../support/receiver.js';
import { tempDbPath } from '../support/temp.js';

describe('gRPC between real processes', () => {
  let chime: ChimeProcess | undefined;
  let app: GrpcApp | undefined;
  let client: DaprGrpcClient | undefined;

  afterEach(async () => {
    client?.close();
    if (chime) await stopChime(chime);
    await app?.stop();
  });

  async function start(): Promise<void> {
    app = new GrpcApp();
    const appUrl = await app.start({ stable: false });
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', appUrl, '--app-protocol', 'grpc', '--grpc-port', '0']);
    const address = /gRPC API \(Dapr jobs\) on (\S+)/.exec(chime.log())?.[1];
    expect(address, chime.log()).toBeDefined();
    client = new DaprGrpcClient(address!);
  }

  it('delivers a one-shot job due 2 s ahead once, never early, as promptly as over HTTP', async () => {
    await start();
    const due = Date.now() + 2000;
    await client!.call('ScheduleJobAlpha1', { job: { name: 'two-seconds', due_time: new Date(due).toISOString(), data: packValue({ task_id: 7 }) } });
    await waitFor(() => app!.events.length === 1, 10_000, 'the callback');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(app!.events).toHaveLength(1);
    const [event] = app!.events;
    expect(event).toMatchObject({ name: 'two-seconds', method: 'job/two-seconds', metadata: { 'chime-scheduled-time': new Date(due).toISOString() } });
    expect(unpackValue(event!.data)).toEqual({ task_id: 7 });
    expect(event!.at).toBeGreaterThanOrEqual(due);
    // A loose bound for a loaded shared machine (timing.test.ts's 100 ms was seen missed by HTTP
    // delivery at 131 ms here); the bench's grpc-callback lateness rows measure the real figure.
    expect(event!.at - due).toBeLessThan(1000);
  });

  it('delivers "*/1 * * * * *" with repeats 3 on second boundaries', async () => {
    await start();
    await client!.call('ScheduleJob', { job: { name: 'per-second', schedule: '*/1 * * * * *', repeats: 3 } });
    await waitFor(() => app!.events.length === 3, 10_000, 'three firings');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(app!.events).toHaveLength(3);
    const scheduled = app!.events.map((e) => Date.parse(e.metadata['chime-scheduled-time']!));
    expect([scheduled[1]! - scheduled[0]!, scheduled[2]! - scheduled[1]!]).toEqual([1000, 1000]);
    app!.events.forEach((e, i) => {
      expect(scheduled[i]! % 1000).toBe(0);
      expect(e.at).toBeGreaterThanOrEqual(scheduled[i]!);
      expect(e.at - scheduled[i]!).toBeLessThan(1000);
    });
  });
});

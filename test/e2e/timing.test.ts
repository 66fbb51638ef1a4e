/**
 * Wall-clock firing between real processes: a `chime serve` process and a receiver process
 * talking real HTTP, on a real SQLite file.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type ReceiverProcess, getJson } from '../support/processes.js';
import { tempDbPath } from '../support/temp.js';

describe('firing between real processes', () => {
  let chime: ChimeProcess | undefined;
  let receiver: ReceiverProcess | undefined;

  afterEach(async () => {
    if (chime) await stopChime(chime);
    await receiver?.stop();
  });

  const post = (path: string, body: unknown) =>
    fetch(`${chime!.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('fires a job due 2 s ahead once, on time, with correct scheduled_time and actual_time', async () => {
    receiver = await startReceiver();
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', receiver.url]);
    const due = Date.now() + 2000;
    const response = await post('/v1.0/jobs/two-seconds', { dueTime: new Date(due).toISOString(), data: { task_id: 7 } });
    expect(response.status).toBe(200);
    await waitFor(() => receiver!.deliveries.length === 1, 10_000, 'the callback');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(receiver.deliveries).toHaveLength(1);
    const [delivery] = receiver.deliveries;
    expect(delivery!.body).toMatchObject({ job_name: 'two-seconds', data: { task_id: 7 }, scheduled_time: new Date(due).toISOString() });
    const actual = Date.parse(delivery!.body!.actual_time!);
    expect(actual).toBeGreaterThanOrEqual(due);
    expect(delivery!.at).toBeGreaterThanOrEqual(due);
    // Lateness bound is loose (a busy 2-core CI machine stalls for hundreds of ms); `npm run
    // bench` measures the real figure (a few ms).
    expect(delivery!.at - due).toBeLessThan(1000);
  });

  it('fires "*/1 * * * * *" with repeats 3 exactly three times, on second boundaries', async () => {
    receiver = await startReceiver();
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', receiver.url]);
    expect((await post('/v1.0/jobs/per-second', { schedule: '*/1 * * * * *', repeats: 3, data: 'tick' })).status).toBe(200);
    await waitFor(() => receiver!.deliveries.length === 3, 10_000, 'three firings');
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(receiver.deliveries).toHaveLength(3);
    const scheduled = receiver.deliveries.map((d) => Date.parse(d.body!.scheduled_time!));
    for (const time of scheduled) expect(time % 1000).toBe(0);
    expect(scheduled[1]! - scheduled[0]!).toBe(1000);
    expect(scheduled[2]! - scheduled[1]!).toBe(1000);
    receiver.deliveries.forEach((d, i) => {
      expect(d.at).toBeGreaterThanOrEqual(scheduled[i]!);
      expect(d.at - scheduled[i]!).toBeLessThan(1000);
    });
    const job = await getJson(`${chime.url}/v1.0/jobs/per-second`);
    expect(job).toMatchObject({ status: 'completed', fire_count: 3 });
  });

  it('retries a 500 per policy, then dead-letters it; a Dapr-style 404 is success', async () => {
    receiver = await startReceiver({ status: 500 });
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', receiver.url]);
    await post('/v1.0-alpha1/jobs/always-500', { dueTime: '0s', failurePolicy: { constant: { interval: '200ms', maxRetries: 2 } } });
    await waitFor(async () => (await getJson(`${chime!.url}/v1.0/dead-letters`)).total === 1, 10_000, 'the dead letter');
    const attempts = receiver.deliveries.filter((d) => d.path === '/job/always-500');
    expect(attempts.map((d) => d.attempt)).toEqual(['1', '2', '3']);
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(199);
    await stopChime(chime);
    await receiver.stop();

    receiver = await startReceiver({ status: 404 });
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`, '--app-url', receiver.url, '--callback-style', 'dapr']);
    await post('/v1.0/jobs/no-handler', { dueTime: '0s' });
    await waitFor(async () => (await getJson(`${chime!.url}/v1.0/jobs/no-handler`)).status === 'completed', 10_000, 'completion');
    expect(receiver.deliveries).toHaveLength(1);
  });
});

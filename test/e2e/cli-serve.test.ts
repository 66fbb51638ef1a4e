/** The `chime` CLI against a running server, and graceful shutdown of `chime serve`. */
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { runChime, startChime, startReceiver, stopChime, type ChimeProcess, type ReceiverProcess, getJson } from '../support/processes.js';
import { tempDbPath } from '../support/temp.js';

// Each case runs the CLI several times, a process start each: seconds apiece on a loaded machine.
describe('chime CLI', { timeout: 120_000 }, () => {
  let chime: ChimeProcess | undefined;
  let receiver: ReceiverProcess | undefined;

  afterEach(async () => {
    if (chime) await stopChime(chime);
    chime = undefined;
    await receiver?.stop();
    receiver = undefined;
  });

  it('schedules, lists, gets and deletes jobs, as tables and as JSON', async () => {
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`]);
    const server = ['--server', chime.url];
    const scheduled = await runChime(['jobs', 'schedule', 'cli-reminder', '--due-time', '1h', '--data', '{"task_id":5}', ...server]);
    expect(scheduled).toMatchObject({ code: 0, stdout: 'scheduled cli-reminder\n' });
    await runChime(['jobs', 'schedule', 'cli-daily', '--schedule', '@daily', ...server]);

    const table = await runChime(['jobs', 'list', ...server]);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+STATUS\s+SCHEDULE\s+NEXT RUN\s+LAST RUN\s+FIRED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/)[0])).toEqual(['cli-daily', 'cli-reminder']);
    // A relative dueTime ("1h") lists as the instant it resolved to (docs/api.md).
    expect(lines[2]).toMatch(/cli-reminder\s+scheduled\s+once @ \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\s/);

    const json = await runChime(['jobs', 'get', 'cli-reminder', '--json', ...server]);
    expect(JSON.parse(json.stdout)).toMatchObject({ name: 'cli-reminder', data: { task_id: 5 }, status: 'scheduled' });

    const duplicate = await runChime(['jobs', 'schedule', 'cli-reminder', '--due-time', '1h', ...server]);
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toMatch(/already exists \(HTTP 409\)/);

    const bad = await runChime(['jobs', 'schedule', 'cli-bad', '--schedule', 'not a cron', ...server]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/schedule: .*HTTP 400/);

    expect((await runChime(['jobs', 'delete', 'cli-reminder', ...server])).stdout).toBe('deleted cli-reminder\n');
    const missing = await runChime(['jobs', 'get', 'cli-reminder', ...server]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found \(HTTP 404\)/);
  });

  it('says so plainly when no server answers', async () => {
    const result = await runChime(['jobs', 'list', '--server', 'http://127.0.0.1:65533']);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/no Chime server answered/);
  });

  it('refuses a bad serve option with a message naming the flag', async () => {
    const result = await runChime(['serve', '--max-concurrent-jobs', 'lots']);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/max-concurrent-jobs: "lots" is not an integer/);
    const env = await runChime(['serve', '--port', '0'], { JOB_TIMEOUT: '5 minutes' });
    expect(env.code).toBe(2);
    expect(env.stderr).toMatch(/job-timeout: /);
  });

  it('honours the seed 002 environment names', async () => {
    receiver = await startReceiver();
    chime = await startChime(['--store', `sqlite:${tempDbPath()}`], { CHIME_APP_URL: receiver.url, MAX_CONCURRENT_JOBS: '3', JOB_TIMEOUT: '2s' });
    const metadata = await getJson(`${chime.url}/v1.0/metadata`);
    expect(metadata.appConnectionProperties.channelAddress).toBe(new URL(receiver.url).host);
  });

  it('drains on SIGTERM: the callback in flight finishes and is recorded, then the process exits 0', async () => {
    receiver = await startReceiver({ delayMs: 800 });
    const store = `sqlite:${tempDbPath()}`;
    chime = await startChime(['--store', store, '--app-url', receiver.url]);
    await fetch(`${chime.url}/v1.0/jobs/in-flight`, { method: 'POST', body: JSON.stringify({ dueTime: '0s' }) });
    await waitFor(() => receiver!.deliveries.length === 1, 5000, 'the callback to start');
    const signalledAt = Date.now();
    chime.child.kill('SIGTERM');
    expect(await chime.exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(5000);
    expect(chime.log()).toMatch(/SIGTERM: draining/);
    chime = await startChime(['--store', store, '--app-url', receiver.url]);
    const job = await getJson(`${chime.url}/v1.0/jobs/in-flight`);
    expect(job).toMatchObject({ status: 'completed', fire_count: 1 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('hands a long-running callback back on SIGTERM after the drain grace', async () => {
    receiver = await startReceiver({ delayMs: 5000 });
    const store = `sqlite:${tempDbPath()}`;
    chime = await startChime(['--store', store, '--app-url', receiver.url, '--drain-grace', '300ms']);
    await fetch(`${chime.url}/v1.0/jobs/long`, { method: 'POST', body: JSON.stringify({ dueTime: '0s' }) });
    await waitFor(() => receiver!.deliveries.length === 1, 5000, 'the callback to start');
    chime.child.kill('SIGTERM');
    expect(await chime.exited).toBe(0);
    await receiver.stop();
    receiver = await startReceiver();
    chime = await startChime(['--store', store, '--app-url', receiver.url]);
    // Handed back unrun, so the next server delivers it at once as attempt 1 again.
    await waitFor(() => receiver!.deliveries.length === 1, 5000, 'redelivery');
    expect(receiver.deliveries[0]!.attempt).toBe('1');
  });
});

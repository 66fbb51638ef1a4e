/**
 * Outbound delivery between real processes: a `chime serve` process, receivers in their own
 * processes, real HTTP and DNS. Every request a receiver gets is verified with the
 * standardwebhooks package against the wall clock.
 */
import { Webhook } from 'standardwebhooks';
import { afterEach, describe, expect, it } from 'vitest';
import { generateWebhookSecret } from '../../src/runtime/delivery/webhook-signing.js';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type Delivery, type ReceiverProcess } from '../support/processes.js';
import { tempDbPath } from '../support/temp.js';

const DAPR_TOKEN = 'dapr-token-e2e';
const APP_TOKEN = 'app-token-e2e';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const hostOf = (url: string) => new URL(url).host;

function verifiedBy(secret: string, delivery: Delivery): boolean {
  try {
    new Webhook(secret).verify(delivery.raw, delivery.headers);
    return true;
  } catch {
    return false;
  }
}

describe('outbound delivery between real processes', () => {
  let chime: ChimeProcess | undefined;
  const receivers: ReceiverProcess[] = [];

  afterEach(async () => {
    if (chime) await stopChime(chime);
    chime = undefined;
    for (const receiver of receivers.splice(0)) await receiver.stop();
  });

  async function receiver(options: { delayMs?: number; host?: string } = {}): Promise<ReceiverProcess> {
    const started = await startReceiver(options);
    receivers.push(started);
    return started;
  }

  const create = (name: string, body: object, token: string | null = DAPR_TOKEN) =>
    fetch(`${chime!.url}/v1.0-alpha1/jobs/${name}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { 'dapr-api-token': token } : {}) },
      body: JSON.stringify(body),
    });
  const created = async (name: string, body: object) => {
    const response = await create(name, body);
    expect(response.status, await response.clone().text()).toBe(204);
  };
  const history = async (name: string): Promise<{ error: string }[]> => {
    const response = await fetch(`${chime!.url}/v1.0/jobs/${name}/history`, { headers: { 'dapr-api-token': DAPR_TOKEN } });
    return ((await response.json()) as { history: { error: string }[] }).history;
  };

  it('delivers signed requests to two receivers, guards targets, follows only allowed redirects, calls the failure hook once, honours Retry-After', async () => {
    const secret = generateWebhookSecret();
    const [app, target, hook, outside] = [await receiver(), await receiver(), await receiver(), await receiver()];
    chime = await startChime(
      [
        '--store', `sqlite:${tempDbPath()}`,
        '--app-url', app.url,
        '--allow-target', [hostOf(target.url), hostOf(hook.url), 'localhost'].join(','),
        '--webhook-secret', secret,
        '--retry-interval', '1s',
      ],
      { DAPR_API_TOKEN: DAPR_TOKEN, APP_API_TOKEN: APP_TOKEN },
    );

    // DAPR_API_TOKEN: refused without the header, accepted with it.
    expect((await create('anonymous', { dueTime: '1s' }, null)).status).toBe(401);
    expect((await create('wrong', { dueTime: '1s' }, 'nope')).status).toBe(401);
    // A target outside the allowlist is refused at creation, naming the field.
    const refused = await create('outside', { dueTime: '1s', target: { url: `${outside.url}/x` } });
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ code: 'TARGET_NOT_ALLOWED', field: 'target.url' });

    await created('to-app', { dueTime: '1s', data: { to: 'app' } });
    await created('to-target', { dueTime: '1s', data: { to: 'target' }, target: { url: `${target.url}/in`, body: 'data' } });
    // Allowed as a name, but localhost resolves to 127.0.0.1 and nothing allows that address on this port.
    await created('rebound', { dueTime: '1s', failurePolicy: { drop: {} }, target: { url: `http://localhost:${new URL(outside.url).port}/steal` } });
    // A redirect to the outside receiver is not followed; one to an allowed path is.
    await created('redirect-out', { dueTime: '1s', failurePolicy: { drop: {} }, target: { url: `${target.url}/x/out?status=302&location=${encodeURIComponent(`${outside.url}/x`)}` } });
    await created('redirect-in', { dueTime: '1s', target: { url: `${target.url}/x/in?status=307&location=/landed` } });
    // 500 until the retries are spent: the failure hook, exactly once.
    await created('doomed', {
      dueTime: '1s',
      data: { order: 9 },
      failurePolicy: { constant: { interval: '1s', maxRetries: 2 } },
      target: { url: `${target.url}/x/doomed?status=500` },
      on_failure: `${hook.url}/failed`,
    });
    // A 429 with Retry-After: 2 puts the next attempt two seconds later (the policy says 1 s).
    await created('throttled', { dueTime: '1s', target: { url: `${target.url}/x/throttled?status=429&retry_after=2&fail_first=1` } });

    await waitFor(() => hook.deliveries.length === 1, 15_000, 'the failure hook');
    await waitFor(() => target.deliveries.filter((d) => d.path.startsWith('/x/throttled')).length === 2, 10_000, 'the throttled retry');
    await sleep(2500); // room for a duplicate hook call to show up, were there one

    expect(app.deliveries.map((d) => d.path)).toEqual(['/job/to-app']);
    expect(target.deliveries.find((d) => d.path === '/in')?.body).toEqual({ to: 'target' });
    expect(target.deliveries.filter((d) => d.path === '/landed')).toHaveLength(1);
    expect(target.deliveries.filter((d) => d.path.startsWith('/x/doomed'))).toHaveLength(3);
    expect(outside.deliveries).toHaveLength(0);
    expect((await history('rebound'))[0].error).toMatch(/outbound guard: localhost resolved to/);
    expect((await history('redirect-out'))[0].error).toMatch(/outbound guard: .*not in the allowlist/);

    expect(hook.deliveries).toHaveLength(1);
    expect(hook.deliveries[0]!.body).toMatchObject({
      type: 'job.dead_lettered',
      job: { name: 'doomed', data: { order: 9 } },
      attempts: 3,
      http_status: 500,
      error: { message: expect.stringContaining('HTTP 500') },
    });

    const throttled = target.deliveries.filter((d) => d.path.startsWith('/x/throttled'));
    const gap = throttled[1]!.at - throttled[0]!.at;
    expect(gap).toBeGreaterThanOrEqual(1900);
    expect(gap).toBeLessThan(4500);

    const all = [...app.deliveries, ...target.deliveries, ...hook.deliveries];
    for (const delivery of all) {
      expect(verifiedBy(secret, delivery), `${delivery.path} verifies`).toBe(true);
      expect(delivery.headers['dapr-api-token']).toBe(APP_TOKEN);
    }
  });

  it('keeps verifying across a secret rotation', async () => {
    const [oldSecret, newSecret] = [generateWebhookSecret(), generateWebhookSecret()];
    const app = await receiver();
    const store = `sqlite:${tempDbPath()}`;
    const phases = [[oldSecret], [oldSecret, newSecret], [newSecret]];
    for (const [index, secrets] of phases.entries()) {
      chime = await startChime(['--store', store, '--app-url', app.url, '--webhook-secret', secrets.join(',')], { DAPR_API_TOKEN: DAPR_TOKEN });
      await created(`phase-${index}`, { dueTime: '500ms' });
      await waitFor(() => app.deliveries.length === index + 1, 10_000, `phase ${index}`);
      await stopChime(chime);
      chime = undefined;
    }
    const [before, during, after] = app.deliveries;
    // The receiver switches from the old secret to the new one while both sign: every request
    // verifies with the secret the receiver holds at that moment.
    expect(verifiedBy(oldSecret, before!)).toBe(true);
    expect(verifiedBy(oldSecret, during!)).toBe(true);
    expect(verifiedBy(newSecret, during!)).toBe(true);
    expect(verifiedBy(newSecret, after!)).toBe(true);
    expect(verifiedBy(oldSecret, after!)).toBe(false);
    expect(verifiedBy(newSecret, before!)).toBe(false);
  });

  it('does not let a slow target (5 s answers) delay jobs aimed at a fast one', async () => {
    const [app, slow, fast] = [await receiver(), await receiver({ delayMs: 5000 }), await receiver()];
    chime = await startChime(
      ['--store', `sqlite:${tempDbPath()}`, '--app-url', app.url, '--allow-target', `${hostOf(slow.url)},${hostOf(fast.url)}`, '--max-concurrent-jobs', '4', '--target-concurrency', '2'],
      { DAPR_API_TOKEN: DAPR_TOKEN },
    );
    const due = new Date(Date.now() + 2000).toISOString();
    for (let i = 0; i < 8; i++) await created(`slow-${i}`, { dueTime: due, target: { url: `${slow.url}/slow` } });
    for (let i = 0; i < 4; i++) await created(`fast-${i}`, { dueTime: due, target: { url: `${fast.url}/fast` } });
    await waitFor(() => fast.deliveries.length === 4, 10_000, 'the fast target');
    // Without the per-target cap all four slots would hold slow requests for 5 s.
    for (const delivery of fast.deliveries) expect(delivery.at - Date.parse(due)).toBeLessThan(2500);
    expect(slow.deliveries.length).toBeLessThanOrEqual(2);
  });
});

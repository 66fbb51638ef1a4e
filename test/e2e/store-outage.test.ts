/**
 * The store goes away under load: a private PostgreSQL stopped in `immediate` mode (a crash;
 * WAL replay on start) and a private Redis killed with SIGKILL (append-only file with
 * `appendfsync always`), each for a few seconds while clients keep creating jobs through a
 * `chime serve` on it.
 *
 * While the store is down, `/healthz` answers 503, every API call fails fast with a 503 and
 * the log says so once per kind of failure; once it is back the node reconnects by itself, and
 * every job it acknowledged (a 200) is delivered: none is lost.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { PrivatePostgres, PrivateRedis } from '../support/private-stores.js';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type ReceiverProcess } from '../support/processes.js';

interface Attempt {
  name: string;
  status: number;
  /** performance.now() when the request was sent. */
  startedAt: number;
  ms: number;
  /** The error body's `code`, for a failure. */
  code?: string;
}

interface StoreServer {
  url(): string;
  start(): Promise<void>;
  crash(): Promise<void>;
  destroy(): Promise<void>;
}

async function privatePostgres(): Promise<StoreServer> {
  const server = new PrivatePostgres();
  await server.init();
  return {
    url: () => `${server.url}?schema=chime`,
    start: async () => server.start(),
    crash: async () => server.stop('immediate'),
    destroy: async () => server.destroy(),
  };
}

async function privateRedis(): Promise<StoreServer> {
  const server = new PrivateRedis('always');
  return { url: () => server.url, start: () => server.start(), crash: () => server.kill(), destroy: () => server.kill() };
}

/** Clients creating jobs due in half a second, one request after another, until stopped. */
function keepCreating(url: string, clients: number): { attempts: Attempt[]; stop: () => Promise<void> } {
  const attempts: Attempt[] = [];
  let running = true;
  let next = 0;
  const loop = async () => {
    while (running) {
      const name = `w-${next++}`;
      const started = performance.now();
      const { status, code } = await fetch(`${url}/v1.0/jobs/${name}`, {
        method: 'POST',
        body: JSON.stringify({ dueTime: new Date(Date.now() + 500).toISOString(), data: { name } }),
        headers: { 'content-type': 'application/json' },
      }).then(
        async (response) => ({ status: response.status, code: ((await response.json()) as { code?: string }).code }),
        () => ({ status: 0, code: undefined }),
      );
      attempts.push({ name, status, code, startedAt: started, ms: performance.now() - started });
      if (status !== 200) await new Promise((resolve) => setTimeout(resolve, 20));
    }
  };
  const loops = Array.from({ length: clients }, loop);
  return {
    attempts,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

const healthStatus = (url: string) => fetch(`${url}/healthz`).then((r) => r.status, () => 0);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe.each([
  ['PostgreSQL', privatePostgres],
  ['Redis', privateRedis],
] as const)('a %s outage under load', (_name, makeServer) => {
  let server: StoreServer | undefined;
  let chime: ChimeProcess | undefined;
  let receiver: ReceiverProcess | undefined;

  afterAll(async () => {
    if (chime) await stopChime(chime);
    await receiver?.stop();
    await server?.destroy();
  });

  it('answers 503 while the store is down, recovers by itself and loses no acknowledged job', async () => {
    server = await makeServer();
    await server.start();
    receiver = await startReceiver();
    chime = await startChime(['--store', server.url(), '--app-url', receiver.url, '--lease', '2s', '--missed-fire-threshold', '1m']);
    const writers = keepCreating(chime.url, 5);

    await sleep(1500);
    const crashedAt = performance.now();
    await server.crash();
    await waitFor(async () => (await healthStatus(chime!.url)) === 503, 5000, '/healthz to report the outage');
    const reportedDownAt = performance.now();
    await sleep(2500);
    // Still unhealthy, and still answering (no hang) while the store is away.
    expect(await healthStatus(chime.url)).toBe(503);
    // Requests sent once the outage showed (one sent before may have been written just in time).
    const duringOutage = writers.attempts.filter((a) => a.startedAt >= reportedDownAt);
    expect(duringOutage.length).toBeGreaterThan(20);

    await server.start();
    const restartedAt = performance.now();
    await waitFor(async () => (await healthStatus(chime!.url)) === 204, 20_000, '/healthz to recover');
    const recoveredMs = performance.now() - restartedAt;
    const beforeRecovery = writers.attempts.length;
    await sleep(1500);
    await writers.stop();
    const attempts = writers.attempts;

    // Every answer was a 200 or a clear 503, and none hung: a request made while the store was
    // down failed within the store's connect timeout.
    for (const a of attempts) expect([200, 503], `${a.name} answered ${a.status}`).toContain(a.status);
    for (const a of duringOutage) expect([a.status, a.code], a.name).toEqual([503, 'STORE_UNAVAILABLE']);
    expect(Math.max(...duringOutage.map((a) => a.ms))).toBeLessThan(5000);
    expect(attempts.slice(beforeRecovery).filter((a) => a.status === 200).length).toBeGreaterThan(20);
    expect(recoveredMs).toBeLessThan(15_000);
    expect(performance.now() - crashedAt).toBeLessThan(30_000);

    // The outage is logged, not shouted: each kind of failure once, not once per attempt.
    const failures = chime.log().split('\n').filter((line) => line.includes(' failed'));
    expect(failures.length).toBeGreaterThan(0);
    expect(failures.length).toBeLessThan(15);

    // Every acknowledged job is delivered.
    const acknowledged = attempts.filter((a) => a.status === 200).map((a) => a.name);
    const delivered = () => new Set(receiver!.deliveries.map((d) => d.body!.job_name));
    await waitFor(() => acknowledged.every((name) => delivered().has(name)), 20_000, 'every acknowledged job delivered');
  }, 90_000);
});

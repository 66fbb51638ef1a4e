/**
 * Recovery after the connection to Redis drops, under load: a TCP proxy between Chime and a
 * private redis-server cuts every connection, and the server itself is killed (SIGKILL,
 * `appendfsync always`) and started again. Once Redis accepts connections again, every job
 * that was due before the fault fires within a few seconds, as on the other stores.
 *
 * What this catches: a claim script that ran while its reply was lost leaves its jobs leased
 * to a node that holds nothing; before lost-claims.ts they waited out the 15 s lease (17-21 s
 * after 5 of 8 cuts). A claim is in flight at a given cut only sometimes, hence several faults.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { TcpProxy } from '../support/private-brokers.js';
import { PrivateRedis } from '../support/private-stores.js';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type ReceiverProcess } from '../support/processes.js';

/**
 * From Redis accepting connections to the last job due before the fault firing. Measured
 * 40-1,750 ms on a busy 2-core machine (cuts under 800 ms; a kill waits for the claim retry,
 * up to 1 s). On another 2-core machine (2026-12-02) the fourth cut took 3,743-4,646 ms in
 * four runs out of four, at this commit and before it, the others as above: the cause is not
 * found yet. The bound stays far below what this test is for, a lost claim's 15 s lease.
 */
const RECOVERY_BOUND_MS = 8000;
const CUTS = 4;
const KILLS = 2;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Clients creating jobs due 100 ms later, one request after another: claims run all the time. */
function keepCreating(url: string, clients: number): { acked: Map<string, number>; stop: () => Promise<void> } {
  const acked = new Map<string, number>();
  let running = true;
  let next = 0;
  const loop = async () => {
    while (running) {
      const name = `r-${next++}`;
      const due = Date.now() + 100;
      const status = await fetch(`${url}/v1.0/jobs/${name}`, {
        method: 'POST',
        body: JSON.stringify({ dueTime: new Date(due).toISOString() }),
        headers: { 'content-type': 'application/json' },
      }).then(
        (response) => response.status,
        () => 0,
      );
      if (status === 200) acked.set(name, due);
      else await sleep(20);
    }
  };
  const loops = Array.from({ length: clients }, loop);
  return {
    acked,
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

describe('Redis connection loss under load', () => {
  const redis = new PrivateRedis('always');
  let proxy: TcpProxy | undefined;
  let chime: ChimeProcess | undefined;
  let receiver: ReceiverProcess | undefined;

  afterAll(async () => {
    if (chime) await stopChime(chime);
    await receiver?.stop();
    await proxy?.cut();
    await redis.kill();
  });

  it(`fires what was due within ${RECOVERY_BOUND_MS} ms of Redis accepting connections again`, async () => {
    await redis.start();
    proxy = new TcpProxy(redis.port);
    await proxy.resume();
    receiver = await startReceiver();
    // A late job still fires (the default threshold of 5 s would skip some after a kill).
    chime = await startChime(['--store', `redis://127.0.0.1:${proxy.port}?prefix=reconnect`, '--app-url', receiver.url, '--missed-fire-threshold', '1m']);
    const writers = keepCreating(chime.url, 4);
    const faults: (() => Promise<void>)[] = [
      ...Array.from({ length: CUTS }, () => async () => {
        await proxy!.cut();
        await sleep(300);
        await proxy!.resume();
      }),
      ...Array.from({ length: KILLS }, () => async () => {
        await redis.kill();
        await sleep(500);
        await redis.start(); // resolves once it answers PING
      }),
    ];
    const recoveries: { fault: string; ms: number }[] = [];
    try {
      for (const [i, fault] of faults.entries()) {
        await sleep(1000);
        const faultAt = Date.now();
        await fault();
        const backAt = Date.now();
        const dueBefore = [...writers.acked].filter(([, due]) => due <= faultAt).map(([name]) => name);
        const delivered = () => new Set(receiver!.deliveries.map((d) => d.body!.job_name));
        await waitFor(() => dueBefore.every((name) => delivered().has(name)), 60_000, 'every job due before the fault');
        recoveries.push({ fault: i < CUTS ? 'cut' : 'kill', ms: Date.now() - backAt });
      }
    } finally {
      await writers.stop();
    }
    console.log(JSON.stringify(recoveries));
    // Enough load that claims were running when the faults hit.
    expect(writers.acked.size).toBeGreaterThan(100);
    for (const recovery of recoveries) expect(recovery.ms, JSON.stringify(recoveries)).toBeLessThan(RECOVERY_BOUND_MS);
  }, 300_000);
});

/**
 * kill -9 mid-run: 1,000 jobs due over 10 s, the server killed without warning around the
 * middle, restarted after a pause. Every acknowledged job fires; no occurrence is fired twice
 * by the scheduler; the ones missed while down follow their missed-fire policy.
 *
 * Delivery is at-least-once: a callback the app received in the last instant before the
 * kill, whose outcome the dead server never wrote, is delivered again (with a higher
 * `chime-attempt`). The test allows exactly those, and no others; and since the restarted
 * server knows its leases were its own (a stable node id, one owner of the SQLite file), it
 * redelivers them soon after it is ready (typically within 1-2 s, behind the backlog of what
 * fell due while it was down), not when the default 15 s lease runs out (about 13 s after).
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type Delivery, type ReceiverProcess, getJson } from '../support/processes.js';
import { tempDbPath } from '../support/temp.js';

const JOBS = 1000;
const SPREAD_MS = 10_000;
const THRESHOLD_MS = 500;
/** The server's default lease (`--lease`), which the restarted server must not wait out. */
const DEFAULT_LEASE_MS = 15_000;

// The SQLite store in the event loop's thread, and on a thread of its own (`?thread=on`).
describe.each([
  ['in process', ''],
  ['on its own thread', '?thread=on'],
])('crash recovery, SQLite store %s', (_, storeQuery) => {
  let chime: ChimeProcess | undefined;
  let receiver: ReceiverProcess | undefined;

  afterAll(async () => {
    if (chime) await stopChime(chime);
    await receiver?.stop();
  });

  it('loses nothing and fires nothing twice across a kill -9 and restart', async () => {
    // Answers take 100 ms, so callbacks are in flight at the kill.
    receiver = await startReceiver({ delayMs: 100 });
    const store = `sqlite:${tempDbPath()}${storeQuery}`;
    // The default lease (15 s): recovery must not wait for it.
    const args = ['--store', store, '--app-url', receiver.url, '--missed-fire-threshold', `${THRESHOLD_MS}ms`, '--max-concurrent-jobs', '50'];
    chime = await startChime(args);
    const start = Date.now() + 1500;
    const due = new Map<string, number>();
    const skipPolicy = new Set<string>();
    const names = Array.from({ length: JOBS }, (_, i) => `crash-${i}`);
    // Create with 20 requests in flight; every 10th job uses the skip policy.
    for (let offset = 0; offset < JOBS; offset += 20) {
      await Promise.all(
        names.slice(offset, offset + 20).map(async (name, k) => {
          const i = offset + k;
          const at = start + Math.floor((i * SPREAD_MS) / JOBS);
          due.set(name, at);
          const body: Record<string, unknown> = { dueTime: new Date(at).toISOString(), data: { i } };
          if (i % 10 === 0) {
            body.missedFirePolicy = 'skip';
            skipPolicy.add(name);
          }
          const response = await fetch(`${chime!.url}/v1.0/jobs/${name}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
          expect(response.status).toBe(200);
        }),
      );
    }

    // Kill mid-way, without warning.
    await new Promise((resolve) => setTimeout(resolve, start + SPREAD_MS / 2 - Date.now()));
    const killedAt = Date.now();
    chime.child.kill('SIGKILL');
    await chime.exited;
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const restartAt = Date.now();
    chime = await startChime(args);
    const readyAt = Date.now();

    // Wait until no job is left scheduled, then past the lease of anything the dead node held.
    await waitFor(
      async () => (await getJson(`${chime!.url}/v1.0/jobs?status=scheduled&limit=1`)).jobs.length === 0,
      30_000,
      'all jobs to finish',
    );
    await new Promise((resolve) => setTimeout(resolve, 3000));

    const byName = new Map<string, Delivery[]>();
    for (const d of receiver.deliveries) {
      const name = d.body!.job_name!;
      byName.set(name, [...(byName.get(name) ?? []), d]);
    }
    const redelivered: string[] = [];
    const skippedUndelivered: string[] = [];
    for (const name of names) {
      const at = due.get(name)!;
      const deliveries = byName.get(name) ?? [];
      // Never early.
      for (const d of deliveries) expect(d.at, name).toBeGreaterThanOrEqual(at);
      if (deliveries.length > 1) {
        redelivered.push(name);
        // A second delivery may only be the lease-expiry retry of a callback in flight at the kill.
        expect(deliveries.map((d) => d.attempt), name).toEqual(['1', '2']);
        expect(Math.abs(deliveries[0]!.at - killedAt), name).toBeLessThan(500);
        // Half the lease: far below its end, and a margin for the backlog on a loaded machine
        // (2.47 s once, beside three other end-to-end files on two cores).
        expect(deliveries[1]!.at - readyAt, `${name}: redelivered well before the lease ran out`).toBeLessThan(DEFAULT_LEASE_MS / 2);
      }
      const missedWhileDown = at > killedAt + 50 && at < restartAt - THRESHOLD_MS;
      if (skipPolicy.has(name) && missedWhileDown) {
        expect(deliveries, `${name} (skip, missed while down)`).toHaveLength(0);
        skippedUndelivered.push(name);
      } else if (!skipPolicy.has(name)) {
        expect(deliveries.length, name).toBeGreaterThanOrEqual(1);
      } else if (deliveries.length === 0) {
        // A skip-policy job not delivered must have been skipped by its policy (fired more
        // than the threshold late: created late, or due while the backlog of the restart
        // drained on a loaded machine), and recorded so; never lost or left waiting.
        skippedUndelivered.push(name);
      }
    }
    expect(skippedUndelivered.length).toBeGreaterThan(0);
    for (const name of skippedUndelivered) {
      const { history } = await getJson(`${chime.url}/v1.0/jobs/${name}/history`);
      expect(history.map((entry: { outcome: string }) => entry.outcome), `${name} (skip policy, not delivered)`).toEqual(['skipped']);
    }
    // The receiver's 100 ms answers leave callbacks in flight at any kill.
    expect(redelivered.length).toBeGreaterThan(0);
    expect(redelivered.length).toBeLessThanOrEqual(50);
    // Everything missed by a fire_once job was delivered after the restart.
    const missedFireOnce = names.filter((n) => !skipPolicy.has(n) && due.get(n)! > killedAt + 250 && due.get(n)! < restartAt);
    expect(missedFireOnce.length).toBeGreaterThan(50);
    for (const name of missedFireOnce) expect(byName.get(name)![0]!.at).toBeGreaterThanOrEqual(restartAt);
  }, 60_000);
});

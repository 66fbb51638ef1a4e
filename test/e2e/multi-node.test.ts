/**
 * Three `chime serve` nodes on one PostgreSQL, then on one Redis: 5,000 one-shot jobs due over
 * 10 s and a per-second cron, created through all three nodes, delivered to a receiver in its
 * own process that records which node delivered what. One node is killed with SIGKILL half-way.
 *
 * Every occurrence is delivered; none is scheduled twice. The only second delivery allowed is
 * the lease-expiry retry of a callback the killed node had in flight (at-least-once delivery:
 * its outcome died with it), and that retry carries a higher `chime-attempt`.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../support/receiver.js';
import { startChime, startReceiver, stopChime, type ChimeProcess, type Delivery, type ReceiverProcess } from '../support/processes.js';
import { dropCreatedStores, freshStoreSpec } from '../support/store-backend.js';

const JOBS = 5000;
const SPREAD_MS = 10_000;
const CRON = 'every-second';
/**
 * Short, so the killed node's jobs come back within the test, but not 2 s: a live node on a
 * loaded machine can stall past two thirds of that and lose its leases to a peer (a duplicate
 * the test would rightly count).
 */
const LEASE_MS = 8000;

async function post(url: string, body: unknown): Promise<void> {
  const response = await fetch(url, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } });
  if (response.status !== 200) throw new Error(`POST ${url}: ${response.status} ${await response.text()}`);
}

function byOccurrence(deliveries: readonly Delivery[]): Map<string, Delivery[]> {
  const groups = new Map<string, Delivery[]>();
  for (const d of deliveries) {
    const key = `${d.body!.job_name} @ ${d.body!.scheduled_time}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  return groups;
}

describe.each(['postgres', 'redis'] as const)('three nodes on one %s store', (backend) => {
  let nodes: ChimeProcess[] = [];
  let receiver: ReceiverProcess | undefined;

  afterAll(async () => {
    await Promise.all(nodes.map(stopChime));
    await receiver?.stop();
    await dropCreatedStores();
  });

  it('delivers every occurrence once across nodes, spreads the work and survives a kill -9', async () => {
    receiver = await startReceiver();
    // The store's own clock (no clock=local): that is what keeps nodes agreeing on time.
    const store = freshStoreSpec(backend, { storeClock: true });
    // Started together: the migrations must be safe to run from several nodes at once.
    nodes = await Promise.all(
      [0, 1, 2].map((i) =>
        startChime(['--store', store, '--app-url', receiver!.url, '--node-id', `node-${i}`, '--lease', `${LEASE_MS}ms`, '--max-concurrent-jobs', '50']),
      ),
    );

    await post(`${nodes[0]!.url}/v1.0/jobs/${CRON}`, { schedule: '*/1 * * * * *', data: { cron: true } });
    const start = Date.now() + 4000;
    const due = new Map<string, number>();
    const names = Array.from({ length: JOBS }, (_, i) => `job-${i}`);
    for (let offset = 0; offset < JOBS; offset += 50) {
      await Promise.all(
        names.slice(offset, offset + 50).map((name, k) => {
          const i = offset + k;
          const at = start + Math.floor((i * SPREAD_MS) / JOBS);
          due.set(name, at);
          return post(`${nodes[i % 3]!.url}/v1.0/jobs/${name}`, { dueTime: new Date(at).toISOString(), data: { i } });
        }),
      );
    }
    // Creating 5,000 jobs takes 2 s on an idle machine and much longer on a loaded one. The
    // set-up does not depend on it: jobs created after their due time are simply fired late
    // (still never early), and the kill waits for the creation to end.
    const createdAt = Date.now();

    await new Promise((resolve) => setTimeout(resolve, Math.max(start + SPREAD_MS / 2, createdAt + 500) - Date.now()));
    const killedAt = Date.now();
    nodes[1]!.child.kill('SIGKILL');
    await nodes[1]!.exited;

    const delivered = () => new Set(receiver!.deliveries.filter((d) => d.body!.job_name !== CRON).map((d) => d.body!.job_name)).size;
    await waitFor(() => delivered() === JOBS, 60_000, `all ${JOBS} jobs delivered (have ${delivered()})`);
    // Past the lease of anything the dead node held (and a reaper pass), so its in-flight
    // callbacks have been redelivered and a stray second delivery would show.
    await new Promise((resolve) => setTimeout(resolve, Math.max(3000, killedAt + LEASE_MS * 1.5 + 1000 - Date.now())));
    const deliveries = [...receiver.deliveries];

    // Never early, even with three clocks: each node follows the store's clock, whose
    // estimate is off by at most half a round trip to the store (well under a millisecond here).
    for (const d of deliveries) {
      if (d.body!.job_name === CRON) continue;
      expect(d.at, d.body!.job_name).toBeGreaterThanOrEqual(due.get(d.body!.job_name!)! - 2);
    }

    // Each occurrence once; a repeat only for the retry of what the killed node had in flight.
    let retried = 0;
    for (const [occurrence, group] of byOccurrence(deliveries)) {
      if (group.length === 1) continue;
      retried++;
      expect(group, occurrence).toHaveLength(2);
      const [first, second] = group as [Delivery, Delivery];
      expect(first.node, occurrence).toBe('node-1');
      // In flight at the kill: received shortly before it (margins for a loaded machine).
      expect(killedAt - first.at, occurrence).toBeLessThan(1000);
      expect(Number(second.attempt), occurrence).toBeGreaterThan(Number(first.attempt));
    }
    expect(retried).toBeLessThanOrEqual(50);

    // The cron fired on every second, with no gap across the kill.
    const seconds = [...new Set(deliveries.filter((d) => d.body!.job_name === CRON).map((d) => Date.parse(d.body!.scheduled_time!)))].sort((a, b) => a - b);
    expect(seconds.length).toBeGreaterThan(15);
    for (let i = 1; i < seconds.length; i++) expect(seconds[i]! - seconds[i - 1]!).toBe(1000);

    // The work spread: every node delivered a fair part while it lived.
    const perNode = new Map<string, number>();
    for (const d of deliveries) perNode.set(d.node, (perNode.get(d.node) ?? 0) + 1);
    expect(perNode.get('node-0')).toBeGreaterThan(JOBS * 0.15);
    expect(perNode.get('node-1')).toBeGreaterThan(JOBS * 0.05);
    expect(perNode.get('node-2')).toBeGreaterThan(JOBS * 0.15);
  }, 180_000);
});

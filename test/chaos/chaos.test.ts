/**
 * The chaos suite (chaos-run.ts): kill -9 of servers and workers, store restarts and
 * connection cuts under load, on each store, with private stores and data directories.
 *
 * `npm test` runs a slice (a few rounds per store, about a minute). `npm run chaos` runs the
 * full plan (CHIME_CHAOS=full): 20 server kills on SQLite, and on PostgreSQL and Redis with
 * three nodes 5 server kills plus worker kills, store restarts and connection cuts; it prints
 * the report docs/operations.md records.
 */
import { describe, expect, it } from 'vitest';
import type { Backend, Fault } from './chaos-cluster.js';
import { formatReport, runChaos } from './chaos-run.js';
import { dropCreatedStores } from '../support/store-backend.js';
import { formatLeaseCosts, measureLeaseCost } from './lease-cost.js';

const FULL = process.env.CHIME_CHAOS === 'full';
const repeat = (fault: Fault, n: number): Fault[] => Array.from({ length: n }, () => fault);

const PLANS: Record<Backend, { nodes: number; faults: Fault[] }> = FULL
  ? {
      sqlite: { nodes: 1, faults: [...repeat('kill-node', 20), ...repeat('kill-worker', 5)] },
      postgres: { nodes: 3, faults: [...repeat('kill-node', 5), ...repeat('kill-worker', 3), ...repeat('store-restart', 3), ...repeat('cut-connections', 3)] },
      redis: { nodes: 3, faults: [...repeat('kill-node', 5), ...repeat('kill-worker', 3), ...repeat('store-restart', 3), ...repeat('cut-connections', 3)] },
    }
  : {
      sqlite: { nodes: 1, faults: ['kill-node', 'kill-worker'] },
      postgres: { nodes: 3, faults: ['kill-node', 'store-restart', 'cut-connections'] },
      redis: { nodes: 3, faults: ['kill-node', 'store-restart', 'cut-connections'] },
    };

/** A lease runs out after 15 s (the default); no recovery may wait for one. */
const LEASE_MS = 15_000;

/** CHIME_CHAOS_STORES=postgres,redis runs a part of the plan. */
const STORES = (process.env.CHIME_CHAOS_STORES?.split(',') ?? Object.keys(PLANS)) as Backend[];

describe.each(STORES)('chaos on %s', (backend) => {
  const plan = PLANS[backend];
  it(
    `loses no acknowledged job across ${plan.faults.length} fault(s) on ${plan.nodes} node(s)`,
    async () => {
      const report = await runChaos(backend, plan.nodes, plan.faults);
      console.log(`${formatReport(report)}\n`);
      expect(report.rounds).toHaveLength(plan.faults.length);
      expect(report.acknowledged).toBeGreaterThan(50);
      expect(report.lost).toEqual([]);
      // At-least-once: a redelivery is a new attempt, never the same attempt fired twice.
      expect(report.repeatedAttempts).toEqual([]);
      for (const round of report.rounds) {
        // A restarted node takes back its own leases at once instead of waiting them out, and
        // a node whose claim reply a store fault lost fetches that claim back (Redis).
        expect(round.recoverMs, JSON.stringify(round)).toBeLessThan(LEASE_MS);
        // A load balancer sees the outage: /healthz answers 503 while the store is away.
        if (round.fault === 'store-restart' && round.downMs >= 500) expect(round.health['503'], JSON.stringify(round)).toBeGreaterThan(0);
      }
    },
    FULL ? 3_600_000 : 300_000,
  );
});

// Cheap (a few seconds), so the slice in `npm test` prints it too.
describe('the lease trade-off', () => {
  it('measures what keeping leases costs each store', async () => {
    const costs = [];
    for (const backend of ['sqlite', 'postgres', 'redis'] as const) costs.push(await measureLeaseCost(backend));
    await dropCreatedStores();
    console.log(`${formatLeaseCosts(costs)}\n`);
    for (const cost of costs) expect(cost.extendMs).toBeGreaterThan(0);
  }, 120_000);
});

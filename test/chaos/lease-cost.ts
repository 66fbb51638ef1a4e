/**
 * The measured side of the lease trade-off (docs/operations.md, "Leases"): what keeping
 * leases costs the store, per store, against how long a dead peer's jobs wait.
 *
 * A node with jobs running extends its leases in one statement every third of the lease, and
 * every node looks for dead leases every half lease (engine-setup.ts). This times both
 * statements on a real store with 50 leased jobs; the report turns them into store statements
 * and store time per second per node for several lease lengths, next to the worst-case wait of a
 * dead peer's jobs (lease + one reaper interval).
 */
import type { Store } from '../../src/store/store.js';
import { createStore } from '../../src/store/open-store.js';
import { T0, newJob } from '../support/fixtures.js';
import { freshStoreSpec, type TestBackend } from '../support/store-backend.js';

export interface LeaseCost {
  backend: TestBackend;
  extendMs: number;
  reapMs: number;
}

async function timeIt(times: number, run: () => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 20; i++) await run();
  const started = performance.now();
  for (let i = 0; i < times; i++) await run();
  return (performance.now() - started) / times;
}

export async function measureLeaseCost(backend: TestBackend): Promise<LeaseCost> {
  const store: Store = await createStore(freshStoreSpec(backend));
  await store.open();
  try {
    await store.insertJobs(Array.from({ length: 50 }, () => newJob()));
    const lane = { target: 'task', queues: ['default'], tasks: ['process_data'] } as const;
    const claimed = await store.claimDue({ lane, now: T0 + 10_000_000, limit: 50, owner: 'node', leaseMs: 60_000, planNext: () => ({ deliver: true, next: null }) });
    if (claimed.length !== 50) throw new Error(`claimed ${claimed.length} of 50 jobs`);
    const ids = claimed.map((job) => job.id);
    let until = T0 + 20_000_000;
    const extendMs = await timeIt(200, () => store.extendLeases('node', ids, ++until));
    const reapMs = await timeIt(200, () => store.reapExpiredLeases({ now: T0 + 10_000_001, limit: 500 }));
    return { backend, extendMs, reapMs };
  } finally {
    await store.close();
  }
}

export function formatLeaseCosts(costs: readonly LeaseCost[]): string {
  const leases = [5, 10, 15, 30, 60];
  const lines = [
    '| store | extend 50 leases (ms) | look for dead leases (ms) | ' + leases.map((s) => `lease ${s} s: statements/s, store ms/s`).join(' | ') + ' |',
    '|---|---|---|' + leases.map(() => '---').join('|') + '|',
  ];
  for (const c of costs) {
    const cells = leases.map((s) => {
      const perSecond = 3 / s + 2 / s;
      const busy = (3 / s) * c.extendMs + (2 / s) * c.reapMs;
      return `${perSecond.toFixed(2)}, ${busy.toFixed(3)}`;
    });
    lines.push(`| ${c.backend} | ${c.extendMs.toFixed(2)} | ${c.reapMs.toFixed(2)} | ${cells.join(' | ')} |`);
  }
  lines.push('', `Worst-case wait of a dead peer's jobs (lease + reaper interval): ${leases.map((s) => `${s} s → ${s * 1.5} s`).join(', ')}.`);
  return lines.join('\n');
}

/**
 * `GET /api/v1/overview`: what the dashboard's first page shows. Fire rate and lateness come
 * from FiringStats (the lifecycle stream, no store query); the job counts need a scan of the
 * jobs table, so they are computed at most once per COUNTS_TTL_MS however many dashboards
 * refresh, and the answer says how old they are.
 */
import type { FastifyInstance } from 'fastify';
import { formatRfc3339 } from '../core/time-spec.js';
import type { Clock } from '../core/clock.js';
import type { DaprJobs } from '../services/dapr-jobs.js';
import type { FiringStats } from '../services/firing-stats.js';
import type { JobStats, Store } from '../store/store.js';
import type { HealthSource } from './health-routes.js';
import { bearer } from './v1-routes.js';
import { statsView } from './v1-views.js';

export const COUNTS_TTL_MS = 10_000;
/** A worker counts as alive when its heartbeat (every 5 s) is at most this old. */
const ALIVE_MS = 30_000;

export interface OverviewSource {
  store: Store;
  daprJobs: DaprJobs;
  firing: FiringStats;
  health: HealthSource;
  clock: Clock;
  nodeId: string;
}

interface Counts {
  at: number;
  stats: JobStats;
  deadLetters: number;
}

export function registerV1OverviewRoutes(app: FastifyInstance, source: OverviewSource): void {
  let cached: Counts | null = null;
  let inFlight: Promise<Counts> | null = null;
  const counts = async (): Promise<Counts> => {
    const now = source.clock.now();
    if (cached && now - cached.at < COUNTS_TTL_MS) return cached;
    inFlight ??= (async () => {
      try {
        const [stats, dead] = await Promise.all([source.store.jobStats(), source.daprJobs.deadLetters(1, 0)]);
        cached = { at: source.clock.now(), stats, deadLetters: dead.total ?? 0 };
        return cached;
      } finally {
        inFlight = null;
      }
    })();
    return inFlight;
  };

  app.get(
    '/overview',
    { config: { scope: 'read' }, schema: { tags: ['Overview'], summary: 'Counts, fire rate and lateness of the last hour, workers, store health', security: bearer } },
    async () => {
      source.firing.start();
      const now = source.clock.now();
      const [c, health, workers] = await Promise.all([
        counts(),
        source.health.check().catch((error: unknown) => ({ ok: false, detail: String(error) })),
        source.store.listWorkers(),
      ]);
      return {
        node_id: source.nodeId,
        store: { backend: source.store.backend, ok: health.ok, detail: health.detail ?? null },
        counted_at: formatRfc3339(c.at),
        jobs: statsView(c.stats),
        dead_letters: c.deadLetters,
        workers: {
          total: workers.length,
          alive: workers.filter((w) => w.status === 'active' && now - w.lastSeenAt <= ALIVE_MS).length,
        },
        firing: source.firing.lastHour(now).map((m) => ({
          minute: formatRfc3339(m.minute),
          fired: m.fired,
          succeeded: m.succeeded,
          failed: m.failed,
          late_p50_ms: m.lateP50Ms,
          late_p99_ms: m.lateP99Ms,
        })),
      };
    },
  );
}

/** `GET /api/v1/overview`: what the dashboard's first page shows (services/overview.ts). */
import type { FastifyInstance } from 'fastify';
import { formatRfc3339 } from '../../core/time-spec.js';
import { SCHEDULE_STATUSES } from '../../core/types.js';
import type { Overview } from '../../services/overview.js';
import type { HealthSource } from '../health-routes.js';
import { daprJobStatus } from '../dapr/views.js';
import { bearer } from './bearer.js';
import { statsView } from './views.js';

export interface OverviewSource {
  overview: Overview;
  health: HealthSource;
  nodeId: string;
}

export function registerV1OverviewRoutes(app: FastifyInstance, source: OverviewSource): void {
  app.get(
    '/overview',
    { config: { scope: 'read' }, schema: { tags: ['Overview'], summary: 'Counts, fire rate and lateness of the last hour, workers, store health', security: bearer } },
    async () => {
      const health = source.health.check().catch((error: unknown) => ({ ok: false, detail: String(error) }));
      const { snapshot, alongside } = await source.overview.snapshot(health);
      return {
        node_id: source.nodeId,
        store: { backend: snapshot.backend, ok: alongside.ok, detail: alongside.detail ?? null },
        counted_at: formatRfc3339(snapshot.counts.at),
        jobs: statsView(snapshot.counts.stats),
        // By the status names the Dapr-style list shows and filters on (`active` is `scheduled`).
        dapr_jobs: Object.fromEntries(SCHEDULE_STATUSES.map((s) => [daprJobStatus(s), snapshot.counts.daprJobs[s]])),
        dead_letters: snapshot.counts.deadLetters,
        workers: snapshot.workers,
        firing: snapshot.firing.map((m) => ({
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

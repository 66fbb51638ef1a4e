/**
 * What the dashboard's first page shows (`GET /api/v1/overview`). Fire rate and lateness come
 * from FiringStats (the lifecycle stream, no store query); the counts (platform jobs by status
 * and queue, Dapr-style jobs by status, dead letters) walk the store, the platform's the task
 * jobs, the Dapr-style ones an index of the schedules, so they are computed at most once per
 * COUNTS_TTL_MS however many dashboards refresh, and the answer says how old they are.
 */
import type { Clock } from '../core/clock.js';
import type { JobStats, ScheduleCounts, Store, StoreBackend } from '../store/store.js';
import type { DaprJobs } from './dapr-jobs.js';
import type { FiringStats, MinuteStats } from './firing-stats.js';

export const COUNTS_TTL_MS = 10_000;
/** A worker counts as alive when its heartbeat (every 5 s) is at most this old. */
const ALIVE_MS = 30_000;

export interface OverviewCounts {
  /** When the counts were taken. */
  at: number;
  stats: JobStats;
  /** Dapr-style (callback) jobs by status. */
  daprJobs: ScheduleCounts;
  deadLetters: number;
}

export interface OverviewSnapshot {
  now: number;
  backend: StoreBackend;
  counts: OverviewCounts;
  workers: { total: number; alive: number };
  /** Per minute, oldest first. */
  firing: MinuteStats[];
}

export class Overview {
  private cached: OverviewCounts | null = null;
  private inFlight: Promise<OverviewCounts> | null = null;

  constructor(
    private readonly store: Store,
    private readonly daprJobs: DaprJobs,
    private readonly firing: FiringStats,
    private readonly clock: Clock,
  ) {}

  /** `alongside` runs in parallel with the counts and the worker list (the route's health check). */
  async snapshot<T>(alongside: Promise<T>): Promise<{ snapshot: OverviewSnapshot; alongside: T }> {
    this.firing.start();
    const now = this.clock.now();
    const [counts, extra, workers] = await Promise.all([this.counts(), alongside, this.store.listWorkers()]);
    return {
      snapshot: {
        now,
        backend: this.store.backend,
        counts,
        workers: {
          total: workers.length,
          alive: workers.filter((w) => w.status === 'active' && now - w.lastSeenAt <= ALIVE_MS).length,
        },
        firing: this.firing.lastHour(now),
      },
      alongside: extra,
    };
  }

  private async counts(): Promise<OverviewCounts> {
    const now = this.clock.now();
    if (this.cached && now - this.cached.at < COUNTS_TTL_MS) return this.cached;
    this.inFlight ??= (async () => {
      try {
        const [stats, daprJobs, dead] = await Promise.all([this.store.jobStats(), this.daprJobs.countByStatus(), this.daprJobs.deadLetters(1, 0)]);
        this.cached = { at: this.clock.now(), stats, daprJobs, deadLetters: dead.total ?? 0 };
        return this.cached;
      } finally {
        this.inFlight = null;
      }
    })();
    return this.inFlight;
  }
}

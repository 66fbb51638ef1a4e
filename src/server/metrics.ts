/**
 * Prometheus metrics (prom-client), one registry per server. Per-job metrics read the one
 * lifecycle event stream; store timings come from the instrumented store; job counts from the
 * store's cheap `jobCounts`, cached briefly. Label values are bounded: lane, queue, outcome,
 * HTTP status, store operation; never a job id or name. Every metric is listed in
 * docs/operations.md.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { LifecycleEvent } from '../core/lifecycle-events.js';
import { CALLBACK_QUEUE, type JobTarget } from '../core/types.js';
import type { JobCounts, Store } from '../store/store.js';
import type { StoreObserver } from './instrumented-store.js';

/**
 * Fine at the low end, where Chime's punctuality lives (1, 2, 5 ms are bucket edges), and
 * coarse up to the missed-fire threshold and beyond.
 */
export const LATENESS_BUCKETS = [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];
const STORE_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5];

/**
 * `chime_jobs` and `chime_dead_letters` are read from the store at most this often: scrapes in
 * between get the cached counts, so ten Prometheus servers cost one count every 5 s.
 */
export const JOB_COUNTS_MAX_AGE_MS = 5000;

export interface MetricsSources {
  store: Store;
  version: string;
  /** The store clock's offset from this node's, ms (0 without a store clock). */
  clockOffsetMs: () => number;
}

export class ChimeMetrics {
  readonly registry = new Registry();
  private readonly attempts: Counter<'lane' | 'queue' | 'outcome'>;
  private readonly lateness: Histogram<'lane'>;
  private readonly duration: Histogram<'lane' | 'queue'>;
  private readonly httpStatus: Counter<'code'>;
  private readonly claims: Counter<'lane'>;
  private readonly storeErrors: Counter<'operation'>;
  private readonly storeSeconds: Histogram<'operation'>;
  private readonly leasesExpired: Counter;
  /** prom-client children by label key: `labels()` hashes its arguments on every call. */
  private readonly children = new Map<string, { observe(v: number): void } | { inc(v?: number): void }>();
  private counts: { at: number; value: Promise<JobCounts> } | null = null;

  constructor(private readonly sources: MetricsSources) {
    const registers = [this.registry];
    collectDefaultMetrics({ register: this.registry });
    new Gauge({ name: 'chime_build_info', help: 'Always 1: the Chime version and store backend', labelNames: ['version', 'store'], registers })
      .set({ version: sources.version, store: sources.store.backend }, 1);
    this.attempts = new Counter({ name: 'chime_job_attempts_total', help: 'Finished attempts by outcome', labelNames: ['lane', 'queue', 'outcome'], registers });
    this.lateness = new Histogram({ name: 'chime_fire_lateness_seconds', help: 'Attempt start minus due time', labelNames: ['lane'], buckets: LATENESS_BUCKETS, registers });
    this.duration = new Histogram({ name: 'chime_job_duration_seconds', help: 'Attempt duration', labelNames: ['lane', 'queue'], buckets: DURATION_BUCKETS, registers });
    this.httpStatus = new Counter({ name: 'chime_callback_http_status_total', help: 'Callback responses by HTTP status code', labelNames: ['code'], registers });
    this.claims = new Counter({ name: 'chime_claims_total', help: 'Jobs this node claimed', labelNames: ['lane'], registers });
    this.storeErrors = new Counter({ name: 'chime_store_errors_total', help: 'Store operations that failed', labelNames: ['operation'], registers });
    this.storeSeconds = new Histogram({ name: 'chime_store_operation_seconds', help: 'Store operation latency', labelNames: ['operation'], buckets: STORE_BUCKETS, registers });
    this.leasesExpired = new Counter({ name: 'chime_leases_expired_total', help: 'Jobs taken back from expired leases (a node died mid-job)', registers });
    new Gauge({
      name: 'chime_clock_offset_seconds',
      help: "Store server clock minus this node's clock (timers follow the store)",
      registers,
      collect() {
        this.set(sources.clockOffsetMs() / 1000);
      },
    });
    const jobCounts = (): Promise<JobCounts> => this.jobCounts();
    new Gauge({
      name: 'chime_jobs',
      help: `Live jobs by lane, queue and status (waiting: pending or retrying; claimed: reserved or running); at most ${JOB_COUNTS_MAX_AGE_MS / 1000} s old`,
      labelNames: ['lane', 'queue', 'status'],
      registers,
      async collect() {
        const counts = await jobCounts().catch(() => null);
        this.reset();
        for (const { queue, waiting, claimed } of counts?.queues ?? []) {
          const lane = laneOf(queue);
          this.set({ lane, queue, status: 'waiting' }, waiting);
          this.set({ lane, queue, status: 'claimed' }, claimed);
        }
      },
    });
    new Gauge({
      name: 'chime_dead_letters',
      help: `Dead-lettered callback jobs in the store; at most ${JOB_COUNTS_MAX_AGE_MS / 1000} s old`,
      registers,
      async collect() {
        const counts = await jobCounts().catch(() => null);
        if (counts) this.set(counts.deadLetters);
      },
    });
  }

  /** Feeds the instrumented store's timings in. */
  readonly storeObserver: StoreObserver = {
    operation: (name, seconds, failed) => {
      this.child(this.storeSeconds, `s${name}`, { operation: name }).observe(seconds);
      if (failed) this.storeErrors.inc({ operation: name });
    },
    claimed: (lane, count) => {
      if (count > 0) this.child(this.claims, `c${lane}`, { lane }).inc(count);
    },
  };

  /** Reads one lifecycle event (subscribe it to the server's stream). */
  readonly onEvent = (event: LifecycleEvent): void => {
    switch (event.type) {
      case 'job.fired':
        this.child(this.lateness, `l${event.job.target}`, { lane: event.job.target }).observe(Math.max(0, event.lateMs) / 1000);
        return;
      case 'lease.expired':
        this.leasesExpired.inc();
        return;
      case 'job.succeeded':
      case 'job.retried':
      case 'job.failed':
      case 'job.dead_lettered':
      case 'job.cancelled':
      case 'job.skipped': {
        // A cancel made through the API ends no attempt.
        if (event.outcome === null) return;
        const { target: lane, queue } = event.job;
        this.child(this.attempts, `a${lane}\u0000${queue}\u0000${event.outcome}`, { lane, queue, outcome: event.outcome }).inc();
        if (event.durationMs !== null) this.child(this.duration, `d${lane}\u0000${queue}`, { lane, queue }).observe(event.durationMs / 1000);
        if (event.httpStatus !== null && lane === 'callback') this.child(this.httpStatus, `h${event.httpStatus}`, { code: String(event.httpStatus) }).inc();
        return;
      }
      default:
    }
  };

  async render(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private jobCounts(): Promise<JobCounts> {
    const now = Date.now();
    if (!this.counts || now - this.counts.at >= JOB_COUNTS_MAX_AGE_MS) {
      const value = this.sources.store.jobCounts();
      // A failed read is not cached: the next scrape tries again.
      value.catch(() => (this.counts = null));
      this.counts = { at: now, value };
    }
    return this.counts.value;
  }

  private child<T extends Counter<string> | Histogram<string>>(metric: T, key: string, labels: Record<string, string>): ReturnType<T['labels']> {
    let child = this.children.get(key);
    if (!child) {
      child = metric.labels(labels);
      this.children.set(key, child);
    }
    return child as ReturnType<T['labels']>;
  }
}

function laneOf(queue: string): JobTarget {
  return queue === CALLBACK_QUEUE ? 'callback' : 'task';
}

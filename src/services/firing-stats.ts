/**
 * Fire rate and lateness of this node over the last hour, in one-minute buckets fed by the
 * lifecycle stream: the dashboard's charts cost no store query at all. Each bucket keeps its
 * counts and a uniform sample (reservoir) of at most 512 lateness values, so p50/p99 are
 * computed from bounded memory (60 × 512 numbers) however many jobs fire.
 */
import type { LifecycleEvent, LifecycleEvents } from '../core/lifecycle-events.js';

const MINUTE_MS = 60_000;
const BUCKETS = 60;
const SAMPLES = 512;

export interface MinuteStats {
  /** Start of the minute, epoch ms. */
  minute: number;
  fired: number;
  succeeded: number;
  /** Attempts that failed (retried, failed or dead-lettered). */
  failed: number;
  lateP50Ms: number | null;
  lateP99Ms: number | null;
}

interface Bucket {
  minute: number;
  fired: number;
  succeeded: number;
  failed: number;
  samples: Float64Array;
  seen: number;
}

export class FiringStats {
  private readonly buckets = new Map<number, Bucket>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly source: LifecycleEvents,
    private readonly random: () => number = Math.random,
  ) {}

  /** Starts counting (idempotent): at start-up when the dashboard is on, else on the first overview read. */
  start(): void {
    this.unsubscribe ??= this.source.subscribe((event) => this.record(event));
  }

  /** The last hour up to `now`, oldest first, one entry per minute (empty minutes included). */
  lastHour(now: number): MinuteStats[] {
    const current = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    const minutes: MinuteStats[] = [];
    for (let m = current - (BUCKETS - 1) * MINUTE_MS; m <= current; m += MINUTE_MS) {
      const bucket = this.buckets.get(m);
      if (!bucket) {
        minutes.push({ minute: m, fired: 0, succeeded: 0, failed: 0, lateP50Ms: null, lateP99Ms: null });
        continue;
      }
      const sorted = bucket.samples.slice(0, Math.min(bucket.seen, SAMPLES)).sort();
      minutes.push({
        minute: m,
        fired: bucket.fired,
        succeeded: bucket.succeeded,
        failed: bucket.failed,
        lateP50Ms: quantile(sorted, 0.5),
        lateP99Ms: quantile(sorted, 0.99),
      });
    }
    return minutes;
  }

  close(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
  }

  private record(event: LifecycleEvent): void {
    if (event.type === 'job.fired') {
      const bucket = this.bucket(event.at);
      bucket.fired++;
      // Reservoir sampling: every firing of the minute has the same chance to be kept.
      const index = bucket.seen < SAMPLES ? bucket.seen : Math.floor(this.random() * (bucket.seen + 1));
      if (index < SAMPLES) bucket.samples[index] = Math.max(0, event.lateMs);
      bucket.seen++;
    } else if (event.type === 'job.succeeded') {
      this.bucket(event.at).succeeded++;
    } else if (event.type === 'job.retried' || event.type === 'job.failed' || event.type === 'job.dead_lettered') {
      this.bucket(event.at).failed++;
    }
  }

  private bucket(at: number): Bucket {
    const minute = Math.floor(at / MINUTE_MS) * MINUTE_MS;
    let bucket = this.buckets.get(minute);
    if (!bucket) {
      bucket = { minute, fired: 0, succeeded: 0, failed: 0, samples: new Float64Array(SAMPLES), seen: 0 };
      this.buckets.set(minute, bucket);
      for (const key of this.buckets.keys()) if (key <= minute - BUCKETS * MINUTE_MS) this.buckets.delete(key);
    }
    return bucket;
  }
}

function quantile(sorted: Float64Array, q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
}

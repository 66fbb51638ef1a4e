/**
 * Statistics shared by every workload and the report.
 *
 * Percentiles use the nearest-rank definition: the p-th percentile of n sorted
 * samples is the sample at rank ceil(p/100 * n). It is always a value that was
 * actually observed, which keeps "max" and "p99" honest on small samples.
 */

export interface DistributionSummary {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p95: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** `sorted` must be ascending and non-empty. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

export function summarize(samples: ArrayLike<number>): DistributionSummary {
  const sorted = Float64Array.from(samples).sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    min: sorted.length > 0 ? sorted[0] : Number.NaN,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted.length > 0 ? sorted[sorted.length - 1] : Number.NaN,
    mean: sorted.length > 0 ? sum / sorted.length : Number.NaN,
  };
}

/** Median of repeated runs, and their range. */
export interface RunSpread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

/** NaN values (figure not applicable) are ignored; all-NaN gives NaN. */
export function spreadOf(values: readonly number[]): RunSpread {
  const finite = values.filter((value) => !Number.isNaN(value)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: 0 };
  const middle = Math.floor(finite.length / 2);
  const median = finite.length % 2 === 1 ? finite[middle] : (finite[middle - 1] + finite[middle]) / 2;
  return { median, min: finite[0], max: finite[finite.length - 1], runs: finite.length };
}

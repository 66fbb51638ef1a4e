/**
 * What the harness and the load generator process (`loadgen.ts`) exchange:
 * the run spec goes in as command-line flags, the result comes back as one
 * JSON object on stdout.
 */
import type { HttpRequestTemplate } from './adapter.js';

export interface LoadgenSpec extends HttpRequestTemplate {
  readonly origin: string;
  /** Total requests; `{i}` in path/body runs 0..requests-1. */
  readonly requests: number;
  /**
   * Requests sent first and not counted, `{i}` running requests..requests+warmupRequests-1
   * (a fresh server's and loadgen's code is not yet optimised). @default 0
   */
  readonly warmupRequests?: number;
  /** Requests in flight at once, one keep-alive connection each. */
  readonly concurrency: number;
  /** Per-request timeout. */
  readonly timeoutMs: number;
}

export interface LoadgenResult {
  readonly requests: number;
  /** Network failures, timeouts and HTTP status ≥ 400. */
  readonly errors: number;
  readonly statusCounts: Readonly<Record<string, number>>;
  readonly durationMs: number;
  readonly requestsPerSec: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number; readonly max: number };
}

export function specToArgs(spec: LoadgenSpec): string[] {
  const args = [
    '--origin', spec.origin,
    '--method', spec.method,
    '--path', spec.path,
    '--requests', String(spec.requests),
    '--warmup-requests', String(spec.warmupRequests ?? 0),
    '--concurrency', String(spec.concurrency),
    '--timeout-ms', String(spec.timeoutMs),
  ];
  if (spec.body !== undefined) args.push('--body', spec.body);
  for (const [name, value] of Object.entries(spec.headers ?? {})) args.push('--header', `${name}: ${value}`);
  return args;
}

/** Replaces every `{i}` in a template with the request index. */
export function fillTemplate(template: string, index: number): string {
  return template.replaceAll('{i}', String(index));
}

/**
 * The load generator's work (`loadgen.ts` is its command): parse the flags, drive the
 * requests, summarise. Apart from the command so tests can run it in their own process.
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { fillTemplate, type LoadgenResult, type LoadgenSpec } from './loadgen-protocol.js';
import { summarize } from './stats.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

export function parseSpec(argv: readonly string[]): LoadgenSpec {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      origin: { type: 'string' },
      method: { type: 'string', default: 'GET' },
      path: { type: 'string', default: '/' },
      body: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      requests: { type: 'string', default: '1000' },
      'warmup-requests': { type: 'string', default: '0' },
      concurrency: { type: 'string', default: '10' },
      'timeout-ms': { type: 'string', default: '10000' },
    },
  });
  if (!values.origin) throw new Error('--origin is required');
  const method = (values.method ?? 'GET').toUpperCase();
  if (!METHODS.has(method)) throw new Error(`unsupported --method ${method}`);
  const headers: Record<string, string> = {};
  for (const header of values.header ?? []) {
    const colon = header.indexOf(':');
    if (colon <= 0) throw new Error(`--header must be "name: value", got ${header}`);
    headers[header.slice(0, colon).trim().toLowerCase()] = header.slice(colon + 1).trim();
  }
  const requests = Number(values.requests);
  const warmupRequests = Number(values['warmup-requests']);
  if (!Number.isInteger(warmupRequests) || warmupRequests < 0) throw new Error('--warmup-requests must be a whole number');
  const concurrency = Number(values.concurrency);
  const timeoutMs = Number(values['timeout-ms']);
  for (const [name, value] of [['requests', requests], ['concurrency', concurrency], ['timeout-ms', timeoutMs]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive integer`);
  }
  return {
    origin: values.origin,
    method: method as LoadgenSpec['method'],
    path: values.path ?? '/',
    body: values.body,
    headers,
    requests,
    warmupRequests,
    concurrency,
    timeoutMs,
  };
}

/** How one request went: the status to count it under, and whether it failed. */
export interface RequestOutcome {
  readonly status: string;
  readonly failed: boolean;
}

/** Sends the request of one index; never throws (a failure is an outcome). */
export type SendRequest = (index: number) => Promise<RequestOutcome>;

/** One request per index in [first, first + count), `concurrency` at a time; `record` gets each. */
async function sendRange(
  send: SendRequest,
  first: number,
  count: number,
  concurrency: number,
  record: (offset: number, latencyMs: number, outcome: RequestOutcome) => void,
): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let offset = next++; offset < count; offset = next++) {
      const startedAt = performance.now();
      const outcome = await send(first + offset);
      record(offset, performance.now() - startedAt, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
}

/**
 * The warm-up (indexes requests..requests+warmupRequests-1, not counted; any failure stops the
 * run: it means a broken setup, not a figure), then the counted requests 0..requests-1.
 */
export async function measureLoad(
  send: SendRequest,
  { requests, warmupRequests = 0, concurrency }: { requests: number; warmupRequests?: number; concurrency: number },
): Promise<LoadgenResult> {
  if (warmupRequests > 0) {
    const failures: Record<string, number> = {};
    await sendRange(send, requests, warmupRequests, concurrency, (_offset, _latencyMs, { status, failed }) => {
      if (failed) failures[status] = (failures[status] ?? 0) + 1;
    });
    if (Object.keys(failures).length > 0) throw new Error(`the warm-up requests failed: ${JSON.stringify(failures)}`);
  }
  const latencies = new Float64Array(requests);
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  const startedAt = performance.now();
  await sendRange(send, 0, requests, concurrency, (offset, latencyMs, { status, failed }) => {
    latencies[offset] = latencyMs;
    statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    if (failed) errors += 1;
  });
  const durationMs = performance.now() - startedAt;
  const summary = summarize(latencies);
  return {
    requests,
    errors,
    statusCounts,
    durationMs,
    requestsPerSec: requests / (durationMs / 1000),
    latencyMs: { p50: summary.p50, p99: summary.p99, max: summary.max },
  };
}

export async function runLoad(spec: LoadgenSpec): Promise<LoadgenResult> {
  const pool = new Pool(spec.origin, { connections: spec.concurrency, pipelining: 1 });
  const send: SendRequest = async (index) => {
    try {
      const response = await pool.request({
        method: spec.method,
        path: fillTemplate(spec.path, index),
        headers: spec.headers,
        body: spec.body === undefined ? undefined : fillTemplate(spec.body, index),
        headersTimeout: spec.timeoutMs,
        bodyTimeout: spec.timeoutMs,
      });
      await response.body.dump();
      return { status: String(response.statusCode), failed: response.statusCode >= 400 };
    } catch {
      return { status: 'network-error', failed: true };
    }
  };
  try {
    return await measureLoad(send, spec);
  } finally {
    await pool.close();
  }
}

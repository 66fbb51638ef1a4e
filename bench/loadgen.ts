/**
 * HTTP load generator, run as its own process so its CPU use does not compete
 * with the harness's event loop (the harness spawns it; it can also be run by
 * hand). Drives N requests at concurrency C over a keep-alive undici Pool and
 * prints one JSON `LoadgenResult` on stdout.
 *
 *   node dist-bench/loadgen.js --origin http://127.0.0.1:4100 --method POST \
 *     --path '/api/v1/jobs' --body '{"name":"job-{i}"}' \
 *     --header 'content-type: application/json' --requests 10000 --concurrency 50
 */
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { fillTemplate, type LoadgenResult, type LoadgenSpec } from './loadgen-protocol.js';
import { summarize } from './stats.js';

const METHODS = new Set(['GET', 'POST', 'PUT', 'DELETE']);

function parseSpec(argv: readonly string[]): LoadgenSpec {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      origin: { type: 'string' },
      method: { type: 'string', default: 'GET' },
      path: { type: 'string', default: '/' },
      body: { type: 'string' },
      header: { type: 'string', multiple: true, default: [] },
      requests: { type: 'string', default: '1000' },
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
    concurrency,
    timeoutMs,
  };
}

async function runLoad(spec: LoadgenSpec): Promise<LoadgenResult> {
  const pool = new Pool(spec.origin, { connections: spec.concurrency, pipelining: 1 });
  const latencies = new Float64Array(spec.requests);
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;

  const runConnection = async (): Promise<void> => {
    for (let index = next++; index < spec.requests; index = next++) {
      const startedAt = performance.now();
      let status = 'network-error';
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
        status = String(response.statusCode);
        if (response.statusCode >= 400) errors += 1;
      } catch {
        errors += 1;
      }
      latencies[index] = performance.now() - startedAt;
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    }
  };

  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(spec.concurrency, spec.requests) }, runConnection));
  const durationMs = performance.now() - startedAt;
  await pool.close();
  const summary = summarize(latencies);
  return {
    requests: spec.requests,
    errors,
    statusCounts,
    durationMs,
    requestsPerSec: spec.requests / (durationMs / 1000),
    latencyMs: { p50: summary.p50, p99: summary.p99, max: summary.max },
  };
}

try {
  const result = await runLoad(parseSpec(process.argv.slice(2)));
  process.stdout.write(`${JSON.stringify(result)}\n`);
} catch (error) {
  process.stderr.write(`loadgen: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

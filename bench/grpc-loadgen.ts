/**
 * gRPC load generator, its own process like loadgen.ts: drives N calls of one Dapr jobs
 * method at concurrency C over one HTTP/2 channel (how a Dapr SDK talks to its sidecar) and
 * prints one JSON `LoadgenResult` on stdout.
 *
 *   node dist-bench/grpc-loadgen.js --address 127.0.0.1:50001 --method ScheduleJobAlpha1 \
 *     --requests 10000 --concurrency 50
 */
import { parseArgs } from 'node:util';
import { connectDapr, indexData } from './dapr-grpc.js';
import type { LoadgenResult } from './loadgen-protocol.js';
import { summarize } from './stats.js';

const METHODS = ['ScheduleJobAlpha1', 'GetJobAlpha1'] as const;
type Method = (typeof METHODS)[number];

/** Job i: `bench-{i}`, due in 24 h (it never fires during the run), data {"i": i}. */
function requestFor(method: Method, index: number): object {
  return method === 'ScheduleJobAlpha1'
    ? { job: { name: `bench-${index}`, due_time: '24h', data: indexData(index) } }
    : { name: `bench-${index}` };
}

async function runLoad(address: string, method: Method, requests: number, concurrency: number): Promise<LoadgenResult> {
  const client = await connectDapr(address);
  const latencies = new Float64Array(requests);
  const statusCounts: Record<string, number> = {};
  let errors = 0;
  let next = 0;
  const lane = async (): Promise<void> => {
    for (let index = next++; index < requests; index = next++) {
      const startedAt = performance.now();
      let status = 'OK';
      try {
        await client.call(method, requestFor(method, index));
      } catch (error) {
        status = String((error as { code?: number }).code ?? 'network-error');
        errors += 1;
      }
      latencies[index] = performance.now() - startedAt;
      statusCounts[status] = (statusCounts[status] ?? 0) + 1;
    }
  };
  const startedAt = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, requests) }, lane));
  const durationMs = performance.now() - startedAt;
  client.close();
  const summary = summarize(latencies);
  return { requests, errors, statusCounts, durationMs, requestsPerSec: requests / (durationMs / 1000), latencyMs: { p50: summary.p50, p99: summary.p99, max: summary.max } };
}

try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { address: { type: 'string' }, method: { type: 'string' }, requests: { type: 'string', default: '1000' }, concurrency: { type: 'string', default: '10' } },
  });
  if (!values.address) throw new Error('--address is required');
  if (!METHODS.includes(values.method as Method)) throw new Error(`--method must be one of ${METHODS.join(', ')}`);
  const requests = Number(values.requests);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('--requests and --concurrency must be positive integers');
  process.stdout.write(`${JSON.stringify(await runLoad(values.address, values.method as Method, requests, concurrency))}\n`);
} catch (error) {
  process.stderr.write(`grpc-loadgen: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

/**
 * gRPC load generator, its own process like loadgen.ts: drives N calls of one Dapr jobs
 * method at concurrency C over one HTTP/2 channel (how a Dapr SDK talks to its sidecar) and
 * prints one JSON `LoadgenResult` on stdout; `--warmup-requests W` first, not counted, as there.
 *
 *   node dist-bench/grpc-loadgen.js --address 127.0.0.1:50001 --method ScheduleJobAlpha1 \
 *     --requests 10000 --concurrency 50
 */
import { parseArgs } from 'node:util';
import { connectDapr, indexData } from './dapr-grpc.js';
import type { LoadgenResult } from './loadgen-protocol.js';
import { measureLoad } from './loadgen-run.js';

const METHODS = ['ScheduleJobAlpha1', 'GetJobAlpha1'] as const;
type Method = (typeof METHODS)[number];

/** Job i: `bench-{i}`, due in 24 h (it never fires during the run), data {"i": i}. */
function requestFor(method: Method, index: number): object {
  return method === 'ScheduleJobAlpha1'
    ? { job: { name: `bench-${index}`, due_time: '24h', data: indexData(index) } }
    : { name: `bench-${index}` };
}

async function runLoad(address: string, method: Method, requests: number, warmupRequests: number, concurrency: number): Promise<LoadgenResult> {
  const client = await connectDapr(address);
  try {
    return await measureLoad(
      async (index) => {
        try {
          await client.call(method, requestFor(method, index));
          return { status: 'OK', failed: false };
        } catch (error) {
          return { status: String((error as { code?: number }).code ?? 'network-error'), failed: true };
        }
      },
      { requests, warmupRequests, concurrency },
    );
  } finally {
    client.close();
  }
}

try {
  const { values } = parseArgs({
    args: process.argv.slice(2),
    options: { address: { type: 'string' }, method: { type: 'string' }, requests: { type: 'string', default: '1000' }, 'warmup-requests': { type: 'string', default: '0' }, concurrency: { type: 'string', default: '10' } },
  });
  if (!values.address) throw new Error('--address is required');
  if (!METHODS.includes(values.method as Method)) throw new Error(`--method must be one of ${METHODS.join(', ')}`);
  const requests = Number(values.requests);
  const warmupRequests = Number(values['warmup-requests']);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(requests) || requests < 1 || !Number.isInteger(concurrency) || concurrency < 1) throw new Error('--requests and --concurrency must be positive integers');
  if (!Number.isInteger(warmupRequests) || warmupRequests < 0) throw new Error('--warmup-requests must be a whole number');
  process.stdout.write(`${JSON.stringify(await runLoad(values.address, values.method as Method, requests, warmupRequests, concurrency))}\n`);
} catch (error) {
  process.stderr.write(`grpc-loadgen: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
}

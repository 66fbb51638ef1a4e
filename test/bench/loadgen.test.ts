/**
 * The load generator's warm-up (bench/loadgen-run.ts): requests sent first and not counted,
 * on indexes after the counted ones, against a real local HTTP server.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { specToArgs, type LoadgenSpec } from '../../bench/loadgen-protocol.js';
import { parseSpec, runLoad } from '../../bench/loadgen-run.js';

let server: Server | undefined;

afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

/** A server that records each request's `{i}` in arrival order; `/fail/{i}` answers 500. */
async function recordingServer(): Promise<{ origin: string; seen: number[] }> {
  const seen: number[] = [];
  server = createServer((request, response) => {
    const [, kind, index] = (request.url ?? '').split('/');
    seen.push(Number(index));
    response.writeHead(kind === 'fail' ? 500 : 200).end('{}');
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return { origin: `http://127.0.0.1:${(server!.address() as AddressInfo).port}`, seen };
}

const spec = (origin: string, path: string, requests: number, warmupRequests: number): LoadgenSpec => ({
  origin,
  method: 'GET',
  path,
  requests,
  warmupRequests,
  concurrency: 4,
  timeoutMs: 5_000,
});

describe('load generator warm-up', () => {
  it('sends the warm-up first, on the indexes after the counted ones, and counts only the rest', async () => {
    const { origin, seen } = await recordingServer();
    const result = await runLoad(spec(origin, '/ok/{i}', 40, 15));
    expect(result.requests).toBe(40);
    expect(result.statusCounts).toEqual({ '200': 40 });
    expect(result.errors).toBe(0);
    // Every warm-up request is answered before the first counted one is sent.
    expect([...seen.slice(0, 15)].sort((a, b) => a - b)).toEqual(Array.from({ length: 15 }, (_, k) => 40 + k));
    expect([...seen.slice(15)].sort((a, b) => a - b)).toEqual(Array.from({ length: 40 }, (_, k) => k));
  });

  it('stops with the failures when the warm-up fails, before any counted request', async () => {
    const { origin, seen } = await recordingServer();
    await expect(runLoad(spec(origin, '/fail/{i}', 10, 5))).rejects.toThrow('the warm-up requests failed: {"500":5}');
    expect(seen).toHaveLength(5);
  });

  it('passes the warm-up as a flag and rejects a negative one', () => {
    const parsed = parseSpec(specToArgs(spec('http://127.0.0.1:1', '/ok/{i}', 10, 7)));
    expect(parsed.warmupRequests).toBe(7);
    expect(parsed.requests).toBe(10);
    expect(() => parseSpec(['--origin', 'http://127.0.0.1:1', '--warmup-requests', '-1'])).toThrow('--warmup-requests');
  });
});

/**
 * Quick self-check of the load generator against a tiny local HTTP server:
 * `node dist-bench/loadgen-self-check.js`. Exits non-zero on any mismatch.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { runLoadgen } from './loadgen-client.js';

const REQUESTS = 2_000;
const CONCURRENCY = 20;

async function main(): Promise<void> {
  const seenPaths = new Set<string>();
  const bodies: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      seenPaths.add(request.url ?? '');
      if (body) bodies.push(body);
      const notFound = request.url?.startsWith('/missing') ?? false;
      response.writeHead(notFound ? 404 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ ok: !notFound }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  try {
    const created = await runLoadgen({
      origin,
      method: 'POST',
      path: '/jobs/{i}',
      body: '{"name":"job-{i}"}',
      headers: { 'content-type': 'application/json' },
      requests: REQUESTS,
      concurrency: CONCURRENCY,
      timeoutMs: 5_000,
    });
    assert.equal(created.requests, REQUESTS);
    assert.equal(created.errors, 0);
    assert.equal(created.statusCounts['200'], REQUESTS);
    assert.equal(seenPaths.size, REQUESTS, 'every {i} in the path is substituted');
    assert.ok(bodies.includes('{"name":"job-1999"}'), 'the body template is substituted');
    assert.ok(created.requestsPerSec > 0 && created.latencyMs.p50 <= created.latencyMs.p99);

    const missing = await runLoadgen({ origin, method: 'GET', path: '/missing/{i}', requests: 100, concurrency: 5, timeoutMs: 5_000 });
    assert.equal(missing.errors, 100, 'HTTP status >= 400 counts as an error');

    const refused = await runLoadgen({ origin: 'http://127.0.0.1:1', method: 'GET', path: '/', requests: 10, concurrency: 2, timeoutMs: 1_000 });
    assert.equal(refused.errors, 10, 'connection failures count as errors');

    process.stdout.write(
      `loadgen self-check OK: ${created.requestsPerSec.toFixed(0)} req/s, p50 ${created.latencyMs.p50.toFixed(2)} ms, ` +
        `p99 ${created.latencyMs.p99.toFixed(2)} ms against a local server\n`,
    );
  } finally {
    server.close();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`loadgen self-check FAILED: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});

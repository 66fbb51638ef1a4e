/**
 * Property-based fuzzing of every route in the server's own OpenAPI document, on each store
 * (this folder runs once per backend): requests that mostly follow the schemas, with hostile
 * values mixed in at every level (test/support/openapi-arbitraries.ts).
 *
 * For every request: no 5xx; every 4xx in the documented error shape of its API family with a
 * registered code; a refused request writes nothing. Afterwards the server is healthy and
 * still creates jobs. CHIME_FUZZ_RUNS sets the requests per store (default 3,400: with three
 * stores, over 10,000 per CI run).
 */
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { ERROR_CODES } from '../../src/core/errors.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { operationsOf, requestFor, type FuzzRequest, type Operation } from '../support/openapi-arbitraries.js';
import { startTestServer, testToken } from '../support/server.js';

const RUNS = Number(process.env.CHIME_FUZZ_RUNS ?? 3400);

let server: ChimeServer;
let token = '';

beforeAll(async () => {
  server = await startTestServer({ clock: new VirtualClock(T0), taskDefinitions: [defineTask({ name: 'noop', handler: () => 'ok' })] });
  token = await testToken('admin');
});

afterAll(async () => {
  await server.close();
});

/** Rows a request could have written: jobs of every kind, schedules of every dialect. */
async function fingerprint(): Promise<string> {
  await server.engine.whenSettled();
  const stats = await server.store.jobStats();
  const schedules = await server.store.listSchedules({ dialects: ['envelope', 'dapr', 'v1'], limit: 1, countTotal: true });
  return `${stats.total} jobs, ${schedules.total} schedules`;
}

/** The documented error body of each family (docs/errors.md). */
function checkErrorShape(url: string, body: Record<string, unknown>): void {
  const codes = Object.keys(ERROR_CODES);
  if (url.startsWith('/api/')) {
    expect(typeof body.detail, url).toBe('string');
    expect(codes, url).toContain(body.code);
  } else if (url.startsWith('/v1.0')) {
    expect(typeof body.errorCode, url).toBe('string');
    expect(typeof body.message, url).toBe('string');
    expect(codes, url).toContain(body.code);
  } else {
    expect(codes, url).toContain(body.error);
    expect(typeof body.message, url).toBe('string');
  }
}

describe('fuzzing every route from the OpenAPI document', () => {
  it(`answers ${RUNS} generated requests without a 5xx, in the documented shape, writing nothing when refusing`, async () => {
    const document = (await server.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operations: Operation[] = operationsOf(document).map((operation) => {
      // `wait: true` holds run-sync until a worker comes, by design; on a virtual clock that is forever.
      if (operation.path.endsWith('/run-sync') && operation.body?.properties) delete operation.body.properties.wait;
      return operation;
    });
    expect(operations.length).toBeGreaterThan(30);
    const seen = new Map<string, number>();
    let sent = 0;
    const statuses = new Map<number, number>();

    await fc.assert(
      fc.asyncProperty(fc.oneof(...operations.map(requestFor)), async (request: FuzzRequest) => {
        const before = await fingerprint();
        const headers: Record<string, string> = { 'content-type': 'application/json' };
        // The live feed answers a valid request with a stream that never ends (inject would wait
        // for ever): it is fuzzed with a bad token, which it refuses at once.
        // test/http/dashboard-api.test.ts covers its streams.
        const auth = request.operation.path === '/api/v1/events' && request.auth === 'valid' ? 'garbage' : request.auth;
        if (auth === 'valid') headers.authorization = `Bearer ${token}`;
        if (auth === 'garbage') headers.authorization = 'Bearer x.y.z';
        const answer = await server.app.inject({ method: request.method, url: request.url, payload: request.payload, headers });
        sent++;
        statuses.set(answer.statusCode, (statuses.get(answer.statusCode) ?? 0) + 1);
        const key = `${request.method} ${request.operation.path}`;
        seen.set(key, (seen.get(key) ?? 0) + 1);
        const context = `${request.method} ${request.url} ${request.payload?.slice(0, 300) ?? ''} -> ${answer.statusCode} ${answer.body.slice(0, 300)}`;
        expect(answer.statusCode, context).toBeLessThan(500);
        if (answer.statusCode >= 400) {
          checkErrorShape(request.url, answer.json());
          if (answer.statusCode === 401) expect(answer.headers['www-authenticate'], context).toMatch(/^Bearer realm="chime"/);
          expect(await fingerprint(), `refused but wrote: ${context}`).toBe(before);
        }
      }),
      { numRuns: RUNS },
    );

    expect(sent).toBeGreaterThanOrEqual(RUNS);
    // Requests reach the handlers, not only the validators: a fair share succeeds.
    const succeeded = [...statuses].filter(([status]) => status < 300).reduce((n, [, count]) => n + count, 0);
    expect(succeeded, JSON.stringify([...statuses])).toBeGreaterThan(RUNS * 0.05);
    // Every route was exercised.
    for (const operation of operations) expect(seen.get(`${operation.method} ${operation.path}`), operation.path).toBeGreaterThan(0);
    console.log(`fuzz (${process.env.CHIME_TEST_STORE}): ${sent} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}`);
    // Healthy afterwards: ready, and still creating jobs.
    expect((await server.app.inject({ method: 'GET', url: '/healthz' })).statusCode).toBe(204);
    const created = await server.app.inject({ method: 'POST', url: '/v1.0/jobs/after-fuzz', payload: { dueTime: '1h' } });
    expect(created.statusCode).toBe(200);
  }, 240_000);
});

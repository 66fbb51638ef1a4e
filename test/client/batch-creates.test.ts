/**
 * JobsClient's `batchCreates`: createJob calls of one tick travel as bulk requests of at most
 * 1,000 jobs, each call gets its own job or its own error, and a failure that may have come
 * after the commit is never answered by sending the jobs again.
 */
import { subscribe, unsubscribe } from 'node:diagnostics_channel';
import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChimeApiError } from '../../src/client/http.js';
import { JobsClient } from '../../src/client/jobs-client.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { startTestServer, testToken } from '../support/server.js';

const FAR = '2031-01-01T00:00:00Z';

/**
 * The requests undici sends from this process to `origin` while `fn` runs, as "METHOD path"
 * (not the server's own: its delivery warm-up may still be sending to its loopback listener).
 */
async function requestsDuring(origin: string, fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const onCreate = (message: unknown) => {
    const { request } = message as { request: { origin: string; method: string; path: string } };
    if (request.origin === origin) seen.push(`${request.method} ${request.path.split('?')[0]}`);
  };
  subscribe('undici:request:create', onCreate);
  try {
    await fn();
  } finally {
    unsubscribe('undici:request:create', onCreate);
  }
  return seen;
}

describe('JobsClient batchCreates against a server', () => {
  let server: ChimeServer;
  let client: JobsClient;

  beforeAll(async () => {
    server = await startTestServer({ taskDefinitions: [defineTask({ name: 'noop', handler: () => null })] });
    client = new JobsClient(server.url, await testToken('write'), { batchCreates: true });
  });
  afterAll(async () => {
    await server.close();
  });

  it('sends 2,500 creates of one tick as three bulk requests, each call answered with its own job', async () => {
    let jobs: Awaited<ReturnType<JobsClient['createJob']>>[] = [];
    const sent = await requestsDuring(server.url, async () => {
      jobs = await Promise.all(Array.from({ length: 2_500 }, (_, i) => client.createJob({ task_name: 'noop', args: [i], scheduled_at: FAR, tags: ['batch-a'] })));
    });
    expect(sent).toEqual(['POST /api/v1/jobs/bulk', 'POST /api/v1/jobs/bulk', 'POST /api/v1/jobs/bulk']);
    expect(jobs.map((job) => job.args)).toEqual(Array.from({ length: 2_500 }, (_, i) => [i]));
    expect(new Set(jobs.map((job) => job.id)).size).toBe(2_500);
    expect((await client.listJobs({ tags: ['batch-a'], limit: 1 })).total).toBe(2_500);
  });

  it('answers a refused job with its own 4xx, and creates the others of its batch once', async () => {
    const calls = Array.from({ length: 5 }, (_, i) =>
      // A priority the API does not know, as an untyped caller could send.
      client.createJob({ task_name: 'noop', args: [i], scheduled_at: FAR, tags: ['batch-b'], ...(i === 2 ? { priority: 'urgent' as 'high' } : {}) }),
    );
    const settled = await Promise.allSettled(calls);
    expect(settled.map((s) => s.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const refused = (settled[2] as PromiseRejectedResult).reason;
    expect(refused).toBeInstanceOf(ChimeApiError);
    expect(refused.status).toBe(400);
    expect(refused.field).toBe('priority');
    expect((await client.listJobs({ tags: ['batch-b'], limit: 1 })).total).toBe(4);
  });
});

describe('JobsClient batchCreates when the bulk request fails past the server', () => {
  let proxy: Server;
  let url = '';
  const received: string[] = [];

  beforeAll(async () => {
    // Stands for a proxy that lost the server's answer: whether the jobs were written is unknown.
    proxy = createServer((request, response) => {
      received.push(`${request.method} ${request.url}`);
      request.resume();
      response.writeHead(502, { 'content-type': 'application/json' }).end(JSON.stringify({ detail: 'bad gateway' }));
    });
    await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
    const address = proxy.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(async () => {
    await new Promise((resolve) => proxy.close(resolve));
  });

  it('gives every call the 5xx instead of sending the jobs again one by one', async () => {
    const client = new JobsClient(url, 'token', { batchCreates: true });
    const settled = await Promise.allSettled([0, 1, 2].map((i) => client.createJob({ task_name: 'noop', args: [i] })));
    expect(settled.every((s) => s.status === 'rejected' && (s.reason as ChimeApiError).status === 502)).toBe(true);
    expect(received).toEqual(['POST /api/v1/jobs/bulk?views=true']);
  });
});

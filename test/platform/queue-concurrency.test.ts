/**
 * A queue with a concurrency limit runs its next due job as soon as a running one finishes,
 * on every store: the finished job's outcome frees a place, and the store's due signal wakes
 * the claim. Before that signal, the next job waited for the window's poll (30 s).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { VirtualClock } from '../../src/core/clock.js';
import { defineTask } from '../../src/core/tasks.js';
import type { ChimeServer } from '../../src/server/start-server.js';
import { T0 } from '../support/fixtures.js';
import { waitFor } from '../support/receiver.js';
import { startTestServer, testToken } from '../support/server.js';

let server: ChimeServer;
let clock: VirtualClock;
let auth: Record<string, string>;
/** Virtual start time of each run, and the function that finishes it. */
const runs: { at: number; finish: () => void }[] = [];

beforeAll(async () => {
  clock = new VirtualClock(T0);
  const gated = defineTask({
    name: 'gated',
    queue: 'one-at-a-time',
    handler: () => new Promise<string>((resolve) => runs.push({ at: clock.now(), finish: () => resolve('done') })),
  });
  server = await startTestServer({ clock, taskDefinitions: [gated] });
  auth = { authorization: `Bearer ${await testToken('admin')}` };
});

afterAll(async () => {
  for (const run of runs) run.finish();
  await server?.close();
});

const api = (method: 'POST' | 'PUT', url: string, payload?: object) =>
  server.app.inject({ method, url: `/api/v1${url}`, payload, headers: auth });

it('a queue limited to one job at a time starts the next due job when the running one finishes', async () => {
  expect((await api('PUT', '/queues/one-at-a-time', { concurrency: 1 })).statusCode).toBe(204);
  for (let i = 0; i < 3; i++) expect((await api('POST', '/jobs', { task_name: 'gated' })).statusCode).toBe(200);
  await waitFor(async () => runs.length === 1, 10_000, 'the first job to start');
  // The clock stands still from here: only the finished job's signal can start the next one.
  const before = clock.now();
  for (let n = 1; n < 3; n++) {
    // Only one runs at a time.
    expect(runs).toHaveLength(n);
    runs[n - 1]!.finish();
    await waitFor(async () => runs.length === n + 1, 10_000, `job ${n + 1} to start after job ${n} finished`);
  }
  expect(runs.map((run) => run.at - before)).toEqual([runs[0]!.at - before, 0, 0]);
});

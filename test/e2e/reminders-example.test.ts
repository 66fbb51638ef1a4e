/**
 * The reminders example (examples/reminders) beside a real `chime serve`: 100 tasks with due
 * dates over 10 s, 10 rescheduled, 10 completed, 10 deleted, 10 with the due date cleared, 5 more created while Chime is
 * down; Chime is killed with kill -9 in the middle and restarted. Every reminder that should
 * fire notifies through the webhook, the broker and the in-app SSE stream exactly once, and no
 * other does.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHmac, randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Redis } from 'ioredis';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startChime, stopChime, stopProcess, type ChimeProcess } from '../support/processes.js';
import { freePort } from '../support/private-stores.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { tempDbPath, tempDir } from '../support/temp.js';
import { REDIS_URL } from '../support/store-backend.js';
import { collectSse, type SseMessage } from '../support/sse.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const EXAMPLE = join(ROOT, 'examples/reminders');

interface RemindersProcess {
  child: ChildProcess;
  url: string;
  log: () => string;
}

async function startReminders(env: Record<string, string>): Promise<RemindersProcess> {
  const child = spawn(process.execPath, [join(EXAMPLE, 'dist/main.js')], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (log += c));
  await waitFor(() => /listening on (http:\/\/\S+)/.test(log) || child.exitCode !== null, 15_000, 'the reminders app');
  const url = /listening on (http:\/\/\S+)/.exec(log)?.[1];
  if (!url) throw new Error(`reminders app did not start:\n${log}`);
  return { child, url, log: () => log };
}

interface Streamed {
  id: string;
  data: { task_id: number; user_id: string; title: string };
}

/** Reads an SSE stream into `events` until aborted. */
function readSse(url: string, events: Streamed[], signal: AbortSignal, headers: Record<string, string> = {}): void {
  void fetch(url, { signal, headers })
    .then((response) => collectSse(response.body!, events as SseMessage[]))
    .catch(() => {}); // aborted
}

const json = (method: string, url: string, body?: unknown) =>
  fetch(url, { method, headers: body === undefined ? {} : { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

describe('reminders example', () => {
  let chime: ChimeProcess | undefined;
  let app: RemindersProcess | undefined;
  let webhooks: Receiver | undefined;
  const aborter = new AbortController();
  const redis = new Redis(REDIS_URL);
  const stream = `reminders-test:${randomBytes(4).toString('hex')}`;

  beforeAll(() => {
    execFileSync(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', join(EXAMPLE, 'tsconfig.json')], { stdio: 'pipe' });
  }, 120_000);

  afterEach(async () => {
    aborter.abort();
    if (chime) await stopChime(chime);
    if (app) await stopProcess(app.child);
    await webhooks?.stop();
    await redis.del(stream);
    redis.disconnect();
  });

  it('notifies each due reminder once on every channel through a kill -9 of Chime', async () => {
    webhooks = new Receiver();
    const hooks = await webhooks.start();
    const chimePort = await freePort();
    app = await startReminders({
      PORT: '0',
      DATABASE: join(tempDir(), 'reminders.db'),
      CHIME_URL: `http://127.0.0.1:${chimePort}`,
      BROKER_URL: `${REDIS_URL}?stream=${stream}`,
    });
    const chimeArgs = ['--port', String(chimePort), '--store', `sqlite:${tempDbPath()}`, '--app-url', app.url, '--lease', '2s'];
    chime = await startChime(chimeArgs);
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    for (const user of ['alice', 'bob']) {
      expect((await json('POST', `${app.url}/api/users`, { id: user, webhook_url: `${hooks}/hooks/${user}`, webhook_secret: secret })).status).toBe(200);
    }
    const sse: Streamed[] = [];
    for (const user of ['alice', 'bob']) readSse(`${app.url}/api/users/${user}/notifications/stream`, sse, aborter.signal);

    // 100 tasks due over 10 s: the first 50 by batch import, the rest one by one.
    const t0 = Date.now() + 5000;
    const input = Array.from({ length: 100 }, (_, i) => ({ user_id: i % 2 ? 'bob' : 'alice', title: `task ${i}`, due_date: new Date(t0 + i * 100).toISOString() }));
    const batch = (await (await json('POST', `${app.url}/api/tasks/batch`, input.slice(0, 50))).json()) as { tasks: { id: number }[]; scheduled_reminders: number };
    expect(batch.scheduled_reminders).toBe(50);
    const ids = batch.tasks.map((t) => t.id);
    for (const task of input.slice(50)) {
      const response = await json('POST', `${app.url}/api/tasks`, task);
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: number; reminder: string };
      expect(created.reminder).toBe('scheduled');
      ids.push(created.id);
    }
    const rescheduled = new Map<number, string>();
    for (let i = 0; i < 100; i += 10) {
      const due = new Date(t0 + i * 100 + 3000).toISOString();
      rescheduled.set(ids[i]!, due);
      expect(((await (await json('PUT', `${app.url}/api/tasks/${ids[i]}`, { due_date: due })).json()) as { reminder: string }).reminder).toBe('scheduled');
      expect((await json('PUT', `${app.url}/api/tasks/${ids[i + 1]}`, { completed: true })).status).toBe(200);
      expect((await json('DELETE', `${app.url}/api/tasks/${ids[i + 2]}`)).status).toBe(200);
      // Clearing the due date cancels the reminder.
      expect(((await (await json('PUT', `${app.url}/api/tasks/${ids[i + 3]}`, { due_date: null })).json()) as { reminder: string }).reminder).toBe('none');
    }
    expect((await json('POST', `${app.url}/api/tasks`, { user_id: 'alice', title: 'x', due_date: 'soon' })).status).toBe(400);
    const expected = new Set(ids.filter((_, i) => i % 10 !== 1 && i % 10 !== 2 && i % 10 !== 3));

    // Mid-way: kill -9, create tasks while Chime is down, restart.
    await waitFor(() => webhooks!.received.length >= 20, 30_000, 'the first reminders');
    chime.child.kill('SIGKILL');
    await chime.exited;
    chime = undefined;
    for (let k = 0; k < 5; k++) {
      const response = await json('POST', `${app.url}/api/tasks`, { user_id: 'alice', title: `while down ${k}`, due_date: new Date(Date.now() + 1500).toISOString() });
      expect(response.status).toBe(201);
      const created = (await response.json()) as { id: number; reminder: string };
      expect(created.reminder).toBe('pending');
      expected.add(created.id);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
    chime = await startChime(chimeArgs);

    const taskIds = {
      webhook: () => webhooks!.received.map((r) => (r.body as { task_id: number }).task_id),
      sse: () => sse.map((e) => e.data.task_id),
      broker: async () =>
        ((await redis.xrange(stream, '-', '+')) as [string, string[]][]).map(([, f]) => (JSON.parse(f[f.indexOf('event') + 1]!) as { data: { task_id: number } }).data.task_id),
    };
    const complete = async () =>
      new Set(taskIds.webhook()).size === expected.size && new Set(taskIds.sse()).size === expected.size && new Set(await taskIds.broker()).size === expected.size;
    await waitFor(complete, 60_000, `${expected.size} reminders on all channels`);
    // Anything extra (a duplicate, a completed or deleted task) would arrive within moments.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const sorted = [...expected].sort((a, b) => a - b);
    expect(taskIds.webhook().sort((a, b) => a - b)).toEqual(sorted);
    expect(taskIds.sse().sort((a, b) => a - b)).toEqual(sorted);
    expect((await taskIds.broker()).sort((a, b) => a - b)).toEqual(sorted);

    // Rescheduled reminders came for the new due date, not the old one; webhooks are signed.
    for (const request of webhooks.received) {
      const body = request.body as { task_id: number; due_date: string; user_id: string };
      if (rescheduled.has(body.task_id)) expect(body.due_date).toBe(rescheduled.get(body.task_id));
      expect(request.path).toBe(`/hooks/${body.user_id}`);
      const id = request.headers['webhook-id'] as string;
      const timestamp = request.headers['webhook-timestamp'] as string;
      const mac = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${id}.${timestamp}.${request.rawBody}`).digest('base64');
      expect(request.headers['webhook-signature']).toBe(`v1,${mac}`);
    }
    // The in-app stream's ids are the notifications' ids: a reconnect with Last-Event-ID resumes after them.
    const last = sse.filter((e) => e.data.user_id === 'alice').at(-2)!;
    const resumed: Streamed[] = [];
    const resume = new AbortController();
    readSse(`${app.url}/api/users/alice/notifications/stream`, resumed, resume.signal, { 'last-event-id': last.id });
    await waitFor(() => resumed.length === 1, 5000, 'the resumed stream');
    resume.abort();
    expect(resumed[0]!.id).toBe(sse.filter((e) => e.data.user_id === 'alice').at(-1)!.id);
  }, 180_000);
});

/**
 * Which events a job publishes (the server's `--events-types`, a job's own `events`), topic
 * delivery instead of the app callback, and the spool: events Chime could not publish while the
 * broker was away survive a kill -9 and go out from the next start.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { ChimeServer } from '../../src/server/start-server.js';
import { startChime, stopChime, type ChimeProcess } from '../support/processes.js';
import { freePort } from '../support/private-stores.js';
import { Receiver, waitFor } from '../support/receiver.js';
import { defineTask } from '../../src/core/tasks.js';
import { startTestServer, testToken } from '../support/server.js';
import { tempDbPath, tempDir } from '../support/temp.js';
import { REDIS_URL } from '../support/store-backend.js';

const REDIS = REDIS_URL;
const redis = new Redis(REDIS);

interface Entry {
  id: string;
  type: string;
  subject: string;
  data: { data: unknown; job_name?: string };
}

async function read(stream: string): Promise<Entry[]> {
  const entries = (await redis.xrange(stream, '-', '+')) as [string, string[]][];
  return entries.map(([, fields]) => JSON.parse(fields[fields.indexOf('event') + 1]!) as Entry);
}

const post = (url: string, name: string, body: object) =>
  fetch(`${url}/v1.0/jobs/${name}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

afterAll(() => redis.disconnect());

describe('event choice, topic delivery and the spool', () => {
  let server: ChimeServer | undefined;
  let chime: ChimeProcess | undefined;
  let receiver: Receiver | undefined;
  const streams: string[] = [];

  afterEach(async () => {
    await server?.close();
    if (chime) await stopChime(chime);
    await receiver?.stop();
    server = chime = receiver = undefined;
    if (streams.length) await redis.del(...streams.splice(0));
  });

  it("publishes the server's types, or a job's own choice; a job with a topic goes to the broker, not the app", async () => {
    const stream = `chime-test:events:${randomBytes(4).toString('hex')}`;
    const topic = `chime-test:topic:${randomBytes(4).toString('hex')}`;
    streams.push(stream, topic);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    server = await startTestServer({ store: `sqlite:${tempDbPath()}`, appUrl, eventsUrl: `${REDIS}?stream=${stream}`, eventsTypes: ['succeeded'] });
    const dueTime = new Date(Date.now() + 500).toISOString();
    expect((await post(server.url, 'plain', { dueTime, data: { n: 1 } })).status).toBe(200);
    expect((await post(server.url, 'chooser', { dueTime, data: { n: 2 }, events: ['fired', 'job.succeeded'] })).status).toBe(200);
    expect((await post(server.url, 'quiet', { dueTime, data: { n: 3 }, events: [] })).status).toBe(200);
    expect((await post(server.url, 'to-topic', { dueTime, data: { task_id: 7, user_id: 'u' }, topic, events: [] })).status).toBe(200);
    const both = await post(server.url, 'both', { dueTime, topic, target: { url: `${appUrl}/x` } });
    expect(both.status).toBe(400);
    expect(await both.json()).toMatchObject({ field: 'topic' });
    const bad = await post(server.url, 'bad', { dueTime, events: ['exploded'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ field: 'events[0]' });
    expect(await (await fetch(`${server.url}/v1.0/jobs/to-topic`)).json()).toMatchObject({ topic, events: [] });

    await waitFor(async () => (await read(topic)).length === 1 && (await read(stream)).length === 3, 10_000, 'the events and the topic message');
    const events = await read(stream);
    expect(events.map((e) => `${e.subject} ${e.type}`).sort()).toEqual([
      'chooser dev.chime.job.fired',
      'chooser dev.chime.job.succeeded',
      'plain dev.chime.job.succeeded',
    ]);
    const [message] = await read(topic);
    expect(message).toMatchObject({ type: 'dev.chime.job.due', subject: 'to-topic', data: { job_name: 'to-topic', data: { task_id: 7, user_id: 'u' } } });
    expect(receiver.received.map((r) => (r.body as { job_name: string }).job_name).sort()).toEqual(['chooser', 'plain', 'quiet']);
  });

  it("a /api/v1 job picks its own event types in metadata.chime_events", async () => {
    const stream = `chime-test:events:${randomBytes(4).toString('hex')}`;
    streams.push(stream);
    server = await startTestServer({
      store: `sqlite:${tempDbPath()}`,
      eventsUrl: `${REDIS}?stream=${stream}`,
      eventsTypes: ['created'],
      taskDefinitions: [defineTask({ name: 'noop', queue: 'default', handler: () => null })],
    });
    const headers = { authorization: `Bearer ${await testToken('write')}` };
    const create = (metadata: object) => server!.app.inject({ method: 'POST', url: '/api/v1/jobs', headers, payload: { task_name: 'noop', metadata } });
    const chooser = (await create({ chime_events: ['fired', 'succeeded'] })).json() as { id: string };
    const plain = (await create({ source: 'api' })).json() as { id: string };
    await waitFor(async () => (await read(stream)).length === 3, 10_000, 'the events');
    const events = await read(stream);
    expect(events.map((e) => `${e.subject} ${e.type}`).sort()).toEqual(
      [`${chooser.id} dev.chime.job.fired`, `${chooser.id} dev.chime.job.succeeded`, `${plain.id} dev.chime.job.created`].sort(),
    );
  });

  it('events spooled while the broker is unreachable survive a kill -9 and are published by the next start', async () => {
    const stream = `chime-test:events:${randomBytes(4).toString('hex')}`;
    streams.push(stream);
    receiver = new Receiver();
    const appUrl = await receiver.start();
    const store = `sqlite:${tempDbPath()}`;
    const dataDir = tempDir();
    // The same broker URL as the second start (the spool is per URL), but nothing listens on this port yet.
    const port = await freePort();
    const proxyUrl = `redis://127.0.0.1:${port}?stream=${stream}`;
    chime = await startChime(['--store', store, '--app-url', appUrl, '--data-dir', dataDir, '--events-url', proxyUrl, '--events-types', 'fired,succeeded']);
    const dueTime = new Date(Date.now() + 1000).toISOString();
    for (let i = 0; i < 20; i++) expect((await post(chime.url, `crash-${i}`, { dueTime, data: { i } })).status).toBe(200);
    await waitFor(() => receiver!.received.length === 20, 15_000, 'the 20 firings');
    await waitFor(() => /publishing to .* failed/.test(chime!.log()), 10_000, 'the sink to report the outage');
    await new Promise((resolve) => setTimeout(resolve, 500)); // the last outcomes' events reach the spool
    chime.child.kill('SIGKILL');
    await chime.exited;
    chime = undefined;
    expect(await read(stream)).toEqual([]);

    // Now a Redis answers on that port: a forwarder to the shared one.
    const { TcpProxy } = await import('../support/private-brokers.js');
    const proxy = Object.assign(new TcpProxy(6379), { port });
    await proxy.resume();
    try {
      chime = await startChime(['--store', store, '--app-url', appUrl, '--data-dir', dataDir, '--events-url', proxyUrl, '--events-types', 'fired,succeeded']);
      await waitFor(async () => (await read(stream)).length >= 40, 15_000, 'the spooled events');
      const events = await read(stream);
      expect(new Set(events.map((e) => e.id)).size).toBe(40);
      expect(chime.log()).toMatch(/40 events from the spool of an earlier run/);
    } finally {
      if (chime) await stopChime(chime);
      chime = undefined;
      await proxy.cut();
    }
  });
});

/**
 * Connections opened ahead of a callback (preconnector.ts): real sockets to a real HTTP server
 * that counts the connections it accepts and which one each request came on.
 */
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { buildConnector, Pool } from 'undici';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobRunner } from '../../src/core/job-runner.js';
import type { ClaimedJob } from '../../src/core/types.js';
import { SystemClock } from '../../src/core/clock.js';
import { TopicDelivery } from '../../src/events/topic-delivery.js';
import { OutboundGuard } from '../../src/runtime/delivery/outbound-guard.js';
import { TargetRoutingRunner } from '../../src/runtime/delivery/target-routing-runner.js';
import { firstConnectOptions, Preconnector } from '../../src/runtime/delivery/preconnector.js';
import { TargetPools } from '../../src/runtime/delivery/target-pools.js';

interface App {
  origin: string;
  server: Server;
  /** Every connection accepted, in order. */
  connections: Socket[];
  /** The remote port of the connection each request came on. */
  requestPorts: number[];
}

const apps: App[] = [];

async function startApp(keepAliveTimeoutMs: number): Promise<App> {
  const connections: Socket[] = [];
  const requestPorts: number[] = [];
  const server = createServer((request, response) => {
    requestPorts.push(request.socket.remotePort!);
    request.resume();
    request.on('end', () => response.end('{}'));
  });
  server.keepAliveTimeout = keepAliveTimeoutMs;
  server.on('connection', (socket) => connections.push(socket));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const app = { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, connections, requestPorts };
  apps.push(app);
  return app;
}

function poolsFor(app: App): TargetPools {
  return new TargetPools({ appOrigin: app.origin, appConnections: 4, targetConnections: 4, guard: new OutboundGuard([], [app.origin]) });
}

async function post(pools: TargetPools, origin: string): Promise<void> {
  const { pool, release } = pools.acquire(origin);
  try {
    const response = await pool.request({ method: 'POST', path: '/job', body: '{}', headers: { 'content-type': 'application/json' } });
    await response.body.text();
  } finally {
    release();
  }
}

afterEach(async () => {
  for (const app of apps.splice(0)) {
    app.server.closeAllConnections();
    app.server.close();
    await once(app.server, 'close');
  }
});

describe('TargetPools.prepare', () => {
  it('opens a connection once the app has closed the last one, and the next request goes out on it', async () => {
    const app = await startApp(100);
    const pools = poolsFor(app);
    try {
      await post(pools, app.origin);
      // The app closes the idle connection after 100 ms; once the pool has seen it close,
      // prepare opens one (asked again until then: before that it has one open).
      await vi.waitFor(() => {
        pools.prepare(app.origin);
        expect(app.connections).toHaveLength(2);
      }, { timeout: 10_000, interval: 20 });
      await post(pools, app.origin);
      expect(app.connections).toHaveLength(2);
      expect(app.requestPorts).toEqual([app.connections[0]!.remotePort, app.connections[1]!.remotePort]);
    } finally {
      await pools.close();
    }
  });
});

describe("the app's first connection", () => {
  it('is opened ahead too: prepare before any request connects, and the first request goes out on it', async () => {
    const app = await startApp(60_000);
    const pools = poolsFor(app);
    try {
      pools.prepare(app.origin);
      await vi.waitFor(() => expect(app.connections).toHaveLength(1), { timeout: 10_000, interval: 10 });
      await post(pools, app.origin);
      expect(app.connections).toHaveLength(1);
      expect(app.requestPorts).toEqual([app.connections[0]!.remotePort]);
    } finally {
      await pools.close();
    }
  });

  it('but not to another origin never reached', async () => {
    const app = await startApp(60_000);
    const other = await startApp(60_000);
    const pools = new TargetPools({ appOrigin: app.origin, appConnections: 4, targetConnections: 4, guard: new OutboundGuard([], [app.origin, other.origin]) });
    try {
      pools.prepare(other.origin);
      // Then a connection to the app, opened after: had one to the other been opened, it was first.
      pools.prepare(app.origin);
      await vi.waitFor(() => expect(app.connections).toHaveLength(1), { timeout: 10_000, interval: 10 });
      expect(other.connections).toHaveLength(0);
    } finally {
      await pools.close();
    }
  });

  it('is opened with the options undici itself passes on its first connect', async () => {
    for (const origin of ['http://127.0.0.1:8080', 'https://example.com', 'http://[::1]:3000', 'http://localhost']) {
      let passed: unknown;
      const pool = new Pool(origin, {
        connect: (options, callback) => {
          passed = { ...options };
          callback(new Error('not connecting'), null);
        },
      });
      await expect(pool.request({ method: 'GET', path: '/' })).rejects.toThrow('not connecting');
      await pool.close();
      expect({ ...firstConnectOptions(new URL(origin)) }, origin).toEqual(passed);
    }
  });
});

describe('Preconnector', () => {
  /** Connects once through `connector`, as a pool would, and closes that connection. */
  async function connectOnceAndClose(connector: Preconnector, app: App): Promise<void> {
    const { port } = new URL(app.origin);
    const socket = await new Promise<Socket>((resolve, reject) =>
      connector.connect({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port }, (error, s) => (error ? reject(error) : resolve(s as Socket))),
    );
    socket.destroy();
    await once(socket, 'close');
  }

  it('opens none while a connection of its own is open: the decision is made on the call', async () => {
    const app = await startApp(60_000);
    const real = buildConnector({});
    let connects = 0;
    const connector = new Preconnector((options, callback) => {
      connects++;
      real(options, callback);
    });
    const { port } = new URL(app.origin);
    const socket = await new Promise<Socket>((resolve, reject) =>
      connector.connect({ hostname: '127.0.0.1', host: `127.0.0.1:${port}`, protocol: 'http:', port }, (error, s) => (error ? reject(error) : resolve(s as Socket))),
    );
    connector.prepare();
    expect(connects).toBe(1);
    socket.destroy();
    await once(socket, 'close');
    connector.prepare();
    expect(connects).toBe(2);
    connector.close();
  });

  it('before any connection of its own, opens none', () => {
    const base = vi.fn();
    new Preconnector(base as unknown as buildConnector.connector).prepare();
    expect(base).not.toHaveBeenCalled();
  });

  it('closes a connection opened ahead that no request took', async () => {
    const app = await startApp(60_000);
    const connector = new Preconnector(buildConnector({}), null, 50);
    await connectOnceAndClose(connector, app);
    connector.prepare();
    await vi.waitFor(() => expect(app.connections).toHaveLength(2), { timeout: 10_000, interval: 10 });
    await once(app.connections[1]!, 'close');
    connector.close();
  });

  it('does not hand out a connection the app closed: the pool connects anew', async () => {
    const app = await startApp(60_000);
    const connector = new Preconnector(buildConnector({}));
    await connectOnceAndClose(connector, app);
    connector.prepare();
    await vi.waitFor(() => expect(app.connections).toHaveLength(2), { timeout: 10_000, interval: 10 });
    expect(connector.spareReady).toBe(true);
    app.connections[1]!.destroy();
    await vi.waitFor(() => expect(connector.spareReady).toBe(false), { timeout: 10_000, interval: 10 });
    await connectOnceAndClose(connector, app);
    expect(app.connections).toHaveLength(3);
    connector.close();
  });
});

describe("the runners in front of the callback delivery pass prepare on", () => {
  function spyRunner(): JobRunner & { prepared: string[] } {
    const prepared: string[] = [];
    return { prepared, prepare: (job) => void prepared.push(job.id), run: async () => ({ ok: true, httpStatus: 200 }), close: async () => {} };
  }
  const job = (id: string, extra: Partial<ClaimedJob> = {}) => ({ id, metadata: '{}', ...extra }) as ClaimedJob;

  it('TopicDelivery: for a job to the app, not for a job to a topic', () => {
    const next = spyRunner();
    const topics = new TopicDelivery(null, next, new SystemClock(), 'chime');
    topics.prepare(job('app'));
    topics.prepare(job('topic', { metadata: '{"chime_topic":"reminders"}' }));
    expect(next.prepared).toEqual(['app']);
  });

  it('TargetRoutingRunner: to the runner the job goes to', () => {
    const app = spyRunner();
    const http = spyRunner();
    const routing = new TargetRoutingRunner(app, http);
    routing.prepare(job('to-app'));
    routing.prepare(job('to-target', { delivery: { target: { url: 'https://example.com/hook' } } } as Partial<ClaimedJob>));
    expect(app.prepared).toEqual(['to-app']);
    expect(http.prepared).toEqual(['to-target']);
  });
});

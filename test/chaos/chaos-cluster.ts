/**
 * A cluster to break: a private store (a PostgreSQL cluster or redis-server of its own, on a
 * spare port, or a SQLite file), `chime serve` nodes each with its own data directory (so each
 * keeps its node id across restarts), one `chime worker` process running tasks, and a callback
 * receiver. Faults: kill -9 of a node or the worker, a store restart (PostgreSQL immediate stop,
 * Redis SIGKILL), and connection cuts (pg_terminate_backend, CLIENT KILL). Nothing here touches
 * the shared services.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import pg from 'pg';
import { PrivatePostgres, PrivateRedis } from '../support/private-stores.js';
import { CHIME_BIN, startChime, startReceiver, stopChime, type ChimeProcess, type ReceiverProcess } from '../support/processes.js';
import { TEST_JWT_SECRET } from '../support/server.js';
import { tempDir } from '../support/temp.js';

export type Backend = 'sqlite' | 'postgres' | 'redis';
export type Fault = 'kill-node' | 'kill-worker' | 'store-restart' | 'cut-connections';

const TASKS = new URL('../fixtures/worker-tasks.mjs', import.meta.url).pathname;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export class ChaosCluster {
  readonly dir = tempDir('chime-chaos-');
  readonly runLog = join(this.dir, 'runs.log');
  private pgServer: PrivatePostgres | null = null;
  private redisServer: PrivateRedis | null = null;
  private storeSpec = '';
  readonly nodes: (ChimeProcess | null)[] = [];
  private worker: ChildProcess | null = null;
  receiver!: ReceiverProcess;

  constructor(
    readonly backend: Backend,
    readonly nodeCount: number,
  ) {}

  async start(): Promise<void> {
    this.receiver = await startReceiver();
    if (this.backend === 'postgres') {
      this.pgServer = new PrivatePostgres();
      await this.pgServer.init();
      this.pgServer.start();
      this.storeSpec = `${this.pgServer.url}?schema=chaos&pool=4`;
    } else if (this.backend === 'redis') {
      // appendfsync always: a SIGKILL of redis-server must not lose what it acknowledged.
      this.redisServer = new PrivateRedis('always');
      await this.redisServer.start();
      this.storeSpec = `${this.redisServer.url}?prefix=chaos`;
    } else {
      this.storeSpec = `sqlite:${join(this.dir, 'node-0', 'chime.db')}`;
    }
    for (let i = 0; i < this.nodeCount; i++) this.nodes.push(null);
    await Promise.all(this.nodes.map((_, i) => this.startNode(i)));
    await this.startWorker();
  }

  /** URLs of the nodes that are up. */
  liveUrls(): string[] {
    return this.nodes.filter((n): n is ChimeProcess => n !== null).map((n) => n.url);
  }

  async startNode(i: number): Promise<void> {
    const args = ['--store', this.storeSpec, '--app-url', this.receiver.url, '--data-dir', join(this.dir, `node-${i}`)];
    args.push('--jwt-secret', TEST_JWT_SECRET, '--max-concurrent-jobs', '50');
    this.nodes[i] = await startChime(args);
  }

  async killNode(i: number): Promise<void> {
    const node = this.nodes[i];
    if (!node) return;
    this.nodes[i] = null;
    node.child.kill('SIGKILL');
    await node.exited;
  }

  async startWorker(): Promise<void> {
    const args = [CHIME_BIN, 'worker', '--store', this.storeSpec, '--tasks', TASKS, '--data-dir', join(this.dir, 'worker'), '--concurrency', '20'];
    const child = spawn(process.execPath, args, { env: { ...process.env, RUN_LOG: this.runLog, TASK_DELAY_MS: '50' }, stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`chime worker did not start:\n${log}`)), 60_000);
      child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
        log += chunk;
        if (/chime worker .* running on/.test(log)) {
          clearTimeout(timer);
          resolve();
        }
      });
      child.once('exit', (code) => reject(new Error(`chime worker exited (${code}):\n${log}`)));
    });
    this.worker = child;
  }

  async killWorker(): Promise<void> {
    const child = this.worker;
    this.worker = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  }

  /**
   * Injects `fault`, keeps the broken part down for `downMs`, brings it back; resolves once it
   * is back (the process announced it serves, or the store accepts connections again).
   */
  async inject(fault: Fault, downMs: number, target: number): Promise<void> {
    switch (fault) {
      case 'kill-node':
        await this.killNode(target);
        await sleep(downMs);
        await this.startNode(target);
        return;
      case 'kill-worker':
        await this.killWorker();
        await sleep(downMs);
        await this.startWorker();
        return;
      case 'store-restart':
        if (this.pgServer) {
          this.pgServer.stop('immediate');
          await sleep(downMs);
          this.pgServer.start();
        } else if (this.redisServer) {
          await this.redisServer.kill();
          await sleep(downMs);
          await this.redisServer.start();
        }
        return;
      case 'cut-connections':
        await this.cutConnections();
        return;
    }
  }

  /** Drops every connection Chime holds to the store (the store itself stays up). */
  private async cutConnections(): Promise<void> {
    if (this.pgServer) {
      const client = new pg.Client({ connectionString: this.pgServer.url });
      await client.connect();
      try {
        await client.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'chime%' AND pid <> pg_backend_pid()`);
      } finally {
        await client.end();
      }
    } else if (this.redisServer) {
      const redis = new Redis(this.redisServer.url);
      try {
        // SKIPME yes (the default): this connection survives its own command.
        await redis.call('CLIENT', 'KILL', 'TYPE', 'normal');
        await redis.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      } finally {
        redis.disconnect();
      }
    }
  }

  async stop(): Promise<void> {
    await Promise.all(this.nodes.map((n) => (n ? stopChime(n) : undefined)));
    await this.killWorker();
    await this.receiver.stop();
    if (this.redisServer) await this.redisServer.kill();
    this.pgServer?.destroy();
  }
}

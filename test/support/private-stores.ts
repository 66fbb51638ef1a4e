/**
 * Private PostgreSQL and Redis servers on spare ports, for tests that stop, kill and restart
 * the store under Chime. The machine and CI have both servers' binaries: a missing one is a
 * broken setup, so these throw rather than let a test skip.
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { waitFor } from './receiver.js';
import { tempDir } from './temp.js';

/**
 * Ports for private servers come from below the kernel's ephemeral range (32768 and up on
 * Linux), at random. Every `listen(0)` and outgoing connection in the suite takes its port from
 * that range, so one of them could take a private server's port between this check and the
 * server's bind, or while the server is down for a restart, and the test would then talk to
 * someone else's server (a restart test once failed with "connection down" that way, its guess).
 */
const PRIVATE_PORTS = { from: 20_000, to: 32_000 };

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let tries = 0; tries < 100; tries++) {
    const port = PRIVATE_PORTS.from + Math.floor(Math.random() * (PRIVATE_PORTS.to - PRIVATE_PORTS.from));
    if (await bindable(port)) return port;
  }
  throw new Error(`no free port between ${PRIVATE_PORTS.from} and ${PRIVATE_PORTS.to}`);
}

function postgresBinaries(): string {
  const root = '/usr/lib/postgresql';
  const versions = existsSync(root)
    ? readdirSync(root).filter((v) => existsSync(join(root, v, 'bin', 'pg_ctl'))).sort((a, b) => Number(b) - Number(a))
    : [];
  if (!versions[0]) throw new Error('PostgreSQL server binaries (initdb, pg_ctl) not found under /usr/lib/postgresql');
  return join(root, versions[0], 'bin');
}

/** A PostgreSQL cluster in a temporary directory. initdb refuses root, so it runs as `postgres` then. */
export class PrivatePostgres {
  private readonly bin = postgresBinaries();
  private readonly asPostgres = process.getuid?.() === 0 ? ['runuser', '-u', 'postgres', '--'] : [];
  readonly dir = tempDir('chime-pg-');
  private readonly data = join(this.dir, 'data');
  port = 0;

  private run(tool: string, args: string[]): void {
    const [command, ...rest] = [...this.asPostgres, join(this.bin, tool), ...args];
    execFileSync(command!, rest, { stdio: 'pipe' });
  }

  async init(): Promise<void> {
    if (this.asPostgres.length > 0) execFileSync('chown', ['postgres:postgres', this.dir]);
    this.run('initdb', ['-D', this.data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    this.port = await freePort();
  }

  start(): void {
    const options = `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 -c fsync=off`;
    this.run('pg_ctl', ['-D', this.data, '-o', options, '-l', join(this.dir, 'log'), '-w', 'start']);
  }

  /** `fast` disconnects clients and shuts down cleanly; `immediate` is a crash (WAL replay on start). */
  stop(mode: 'fast' | 'immediate' = 'fast'): void {
    this.run('pg_ctl', ['-D', this.data, '-m', mode, '-w', 'stop']);
  }

  destroy(): void {
    try {
      this.stop('immediate');
    } catch {
      // already stopped
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  get url(): string {
    return `postgres://postgres@127.0.0.1:${this.port}/postgres`;
  }
}

/**
 * A redis-server with the append-only file on. `appendfsync always` makes a SIGKILL of the
 * server lose nothing it acknowledged, so a test of Chime is not a test of Redis' fsync window.
 */
export class PrivateRedis {
  readonly dir = tempDir('chime-redis-');
  port = 0;
  private child: ChildProcess | undefined;

  constructor(private readonly appendfsync: 'always' | 'everysec' = 'everysec') {
    if (spawnSync('redis-server', ['--version']).status !== 0) throw new Error('redis-server not found on PATH');
  }

  /**
   * Starts the server and waits until it answers, and answers as this child (its pid): a port
   * that some other server holds fails here, clearly, rather than mid-test.
   */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const args = ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'yes'];
    args.push('--appendfsync', this.appendfsync, '--dir', this.dir, '--logfile', '');
    const child = spawn('redis-server', args, { stdio: 'ignore' });
    this.child = child;
    await waitFor(
      async () => {
        if (child.exitCode !== null) throw new Error(`redis-server on port ${this.port} exited with ${child.exitCode} (port taken?)`);
        return (await this.serverPid()) === child.pid;
      },
      5000,
      `redis-server on port ${this.port}`,
    );
  }

  /** The pid of whatever Redis answers on the port, or undefined while none does. */
  private async serverPid(): Promise<number | undefined> {
    const probe = new Redis(this.url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null });
    probe.on('error', () => {}); // refused while the server starts: no answer yet
    try {
      await probe.connect();
      const info = await probe.info('server');
      return Number(/^process_id:(\d+)/m.exec(info)?.[1]);
    } catch {
      return undefined;
    } finally {
      probe.disconnect();
    }
  }

  /** SIGKILL: no shutdown, no final fsync. */
  kill(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGKILL');
    });
  }

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }
}

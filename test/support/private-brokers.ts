/**
 * Private brokers on spare ports, for tests that stop and restart the broker under Chime
 * (the shared ones on 4222/1883/5672 must never be restarted), and a TCP proxy that cuts every
 * connection to a broker.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { freePort } from './private-stores.js';
import { waitFor } from './receiver.js';
import { tempDir } from './temp.js';

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** A broker process that can be stopped (SIGTERM, a clean shutdown) and started again on the same port and data. */
abstract class PrivateBroker {
  readonly dir = tempDir('chime-broker-');
  port = 0;
  private child: ChildProcess | undefined;
  /** How long a start may take before the test gives up. */
  protected startTimeoutMs = 10_000;

  protected abstract command(): [string, string[]];

  /** Extra environment for the broker process. */
  protected env(): Record<string, string> {
    return {};
  }

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const [bin, args] = this.command();
    // Its own process group: a broker started by a wrapper script (RabbitMQ) stops as a whole.
    const child = spawn(bin, args, { stdio: 'ignore', detached: true, env: { ...process.env, ...this.env() } });
    this.child = child;
    // A broker that exits (its port taken) fails here: whatever else listens there is not ours.
    const up = async (): Promise<boolean> => {
      if (child.exitCode !== null) throw new Error(`${bin} on port ${this.port} exited with ${child.exitCode}`);
      return listening(this.port);
    };
    await waitFor(up, this.startTimeoutMs, `${bin} on port ${this.port}`);
  }

  /** Stops the broker, leaves it down for `outageMs`, starts it again on the same port and data. */
  async restart(outageMs: number): Promise<void> {
    await this.stop();
    await new Promise((resolve) => setTimeout(resolve, outageMs));
    await this.start();
  }

  stop(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return Promise.resolve();
    return new Promise((resolve) => {
      child.once('exit', () => resolve());
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        child.kill('SIGTERM'); // the group is gone already
      }
    });
  }
}

/** nats-server with JetStream, its store in a temp dir (streams survive a restart). */
export class PrivateNats extends PrivateBroker {
  protected command(): [string, string[]] {
    return ['nats-server', ['-a', '127.0.0.1', '-p', String(this.port), '-js', '-sd', this.dir]];
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }
}

/** mosquitto with persistence on, so a persistent session's queued QoS 1 messages survive a restart. */
export class PrivateMosquitto extends PrivateBroker {
  protected command(): [string, string[]] {
    const config = join(this.dir, 'mosquitto.conf');
    const user = process.getuid?.() === 0 ? 'user root\n' : '';
    // No cap on the messages queued for a disconnected persistent session (the default drops past 1,000).
    const limits = 'max_queued_messages 0\nmax_queued_bytes 0\n';
    writeFileSync(config, `${user}listener ${this.port} 127.0.0.1\nallow_anonymous true\npersistence true\npersistence_location ${this.dir}/\n${limits}`);
    return ['mosquitto', ['-c', config]];
  }

  get url(): string {
    return `mqtt://127.0.0.1:${this.port}`;
  }
}

/**
 * A second RabbitMQ node (its own node name, ports, config and data) for tests that restart the
 * broker. `rabbitmq-server` run as root drops to the `rabbitmq` user, so its files belong to it;
 * its durable queues and persistent messages survive a restart. Starting takes 5–15 s.
 */
export class PrivateRabbitMq extends PrivateBroker {
  private distPort = 0;
  protected override startTimeoutMs = 60_000;

  override async start(): Promise<void> {
    if (this.distPort === 0) this.distPort = await freePort();
    if (this.port === 0) this.port = await freePort();
    for (const sub of ['mnesia', 'log']) mkdirSync(join(this.dir, sub), { recursive: true });
    writeFileSync(join(this.dir, 'rabbitmq.conf'), `listeners.tcp.local = 127.0.0.1:${this.port}\n`);
    writeFileSync(join(this.dir, 'rabbitmq-env.conf'), '');
    writeFileSync(join(this.dir, 'enabled_plugins'), '[].');
    if (process.getuid?.() === 0) chownTree(this.dir, 'rabbitmq');
    await super.start();
  }

  protected command(): [string, string[]] {
    return ['rabbitmq-server', []];
  }

  protected override env(): Record<string, string> {
    const dir = this.dir;
    return {
      RABBITMQ_NODENAME: `chime-test-${this.port}@localhost`,
      RABBITMQ_NODE_PORT: String(this.port),
      RABBITMQ_DIST_PORT: String(this.distPort),
      RABBITMQ_CONFIG_FILE: join(dir, 'rabbitmq.conf'),
      RABBITMQ_CONF_ENV_FILE: join(dir, 'rabbitmq-env.conf'),
      RABBITMQ_ENABLED_PLUGINS_FILE: join(dir, 'enabled_plugins'),
      RABBITMQ_MNESIA_BASE: join(dir, 'mnesia'),
      RABBITMQ_LOG_BASE: join(dir, 'log'),
      RABBITMQ_FEATURE_FLAGS_FILE: join(dir, 'feature_flags'),
      RABBITMQ_PLUGINS_EXPAND_DIR: join(dir, 'plugins'),
    };
  }

  /**
   * `rabbitmq-server` starts the Erlang VM in a session of its own (it switches user), so the
   * process group kill misses it: find the node's processes by the node name in their environment.
   */
  override async stop(): Promise<void> {
    await super.stop();
    const marker = `RABBITMQ_NODENAME=chime-test-${this.port}@localhost`;
    const pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name) && environHas(name, marker)).map(Number);
    for (const pid of pids) process.kill(pid, 'SIGTERM');
    await waitFor(() => pids.every((pid) => !alive(pid)), 30_000, `RabbitMQ node on port ${this.port} to stop`);
  }

  get url(): string {
    return `amqp://guest:guest@127.0.0.1:${this.port}`;
  }
}

function environHas(pid: string, entry: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`, 'latin1').split('\0').includes(entry);
  } catch {
    return false; // gone, or not ours to read
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Gives a directory tree to a system user (by name, looked up in /etc/passwd). */
function chownTree(dir: string, user: string): void {
  const line = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  const [, , uid, gid] = line.split(':');
  const walk = (path: string) => {
    chownSync(path, Number(uid), Number(gid));
    if (statSync(path).isDirectory()) for (const name of readdirSync(path)) walk(join(path, name));
  };
  walk(dir);
}

/** Forwards 127.0.0.1:<port> to a target; `cut()` drops every connection and stops listening until `resume()`. */
export class TcpProxy {
  port = 0;
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();

  constructor(private readonly targetPort: number) {}

  async resume(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    this.server = createServer((client) => {
      const upstream = createConnection({ host: '127.0.0.1', port: this.targetPort });
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => {
          client.destroy();
          upstream.destroy();
        });
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve) => this.server!.listen(this.port, '127.0.0.1', resolve));
  }

  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.sockets) s.destroy();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}


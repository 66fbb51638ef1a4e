/**
 * Private brokers on spare ports, for tests that stop and restart the broker under Chime
 * (the shared ones on 4222/1883 must never be restarted), and a TCP proxy that cuts every
 * connection to a broker too heavy to run privately (RabbitMQ).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
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

  protected abstract command(): [string, string[]];

  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort();
    const [bin, args] = this.command();
    this.child = spawn(bin, args, { stdio: 'ignore' });
    await waitFor(() => listening(this.port), 10_000, `${bin} on port ${this.port}`);
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
      child.kill('SIGTERM');
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


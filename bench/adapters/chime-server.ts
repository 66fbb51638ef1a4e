/**
 * A `chime serve` child process for a trial: Chime as users deploy it, a server of its own.
 * Knows its RSS, its CPU time, how long a restart takes until /healthz answers again, and,
 * started with `--inspect`, where its inspector listens (for a CPU profile).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { ServerReport } from '../adapter.js';

const CHIME_BIN = fileURLToPath(new URL('../../bin/chime.js', import.meta.url));
/** Every bench server's `--jwt-secret`, so trials can make their own tokens. */
export const BENCH_SECRET = 'chime-bench-secret-0123456789abcdef';

/** A job's due time as Chime's APIs take it (RFC 3339, whole milliseconds, never before the time asked). */
export const isoDueTime = (dueAtMs: number | undefined): string | undefined =>
  dueAtMs === undefined ? undefined : new Date(Math.ceil(dueAtMs)).toISOString();
const START_TIMEOUT_MS = 60_000;
/** The restarted server's RSS is read this long after it is ready, once its start has settled. */
const RESTARTED_RSS_AFTER_MS = 3_000;
/** /proc's utime and stime are in clock ticks: USER_HZ, 100 on Linux. */
const CLOCK_TICKS_PER_SECOND = 100;

export class ChimeServerProcess {
  private constructor(
    private child: ChildProcess,
    readonly url: string,
    private readonly args: readonly string[],
    private readonly env: NodeJS.ProcessEnv,
    private readonly nodeArgs: readonly string[],
    private log: string,
  ) {}

  /** `nodeArgs` go to node before the CLI, e.g. `--inspect=127.0.0.1:0`. */
  static async start(args: readonly string[], env: NodeJS.ProcessEnv = {}, nodeArgs: readonly string[] = []): Promise<ChimeServerProcess> {
    const { child, url, log } = await spawnServer(args, env, nodeArgs);
    return new ChimeServerProcess(child, url, args, env, nodeArgs, log);
  }

  /** The inspector's debugger URL (ws://...), announced on stderr when started with `--inspect`. */
  get inspectorUrl(): string {
    const match = /Debugger listening on (ws:\/\/\S+)/.exec(this.log);
    if (!match) throw new Error(`the server announced no inspector (start it with --inspect):\n${this.log}`);
    return match[1]!;
  }

  /** host:port of the server's gRPC API (started with `--grpc-port`), from its start-up log. */
  get grpcAddress(): string {
    const match = /gRPC API \(Dapr jobs\) on ([^\s"]+)/.exec(this.log);
    if (!match) throw new Error(`the server announced no gRPC API (start it with --grpc-port):\n${this.log}`);
    return match[1]!;
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  /** Resident set size of the server process, from /proc. */
  rssBytes(): number {
    const status = readFileSync(`/proc/${this.pid}/status`, 'utf8');
    const match = /VmRSS:\s+(\d+) kB/.exec(status);
    if (!match) throw new Error('no VmRSS in /proc status');
    return Number(match[1]) * 1024;
  }

  /** CPU time the server has used so far (user + system, all threads), from /proc, in seconds. */
  cpuSeconds(): number {
    // Fields after the command name (which may hold spaces, hence the split on ') ').
    const fields = readFileSync(`/proc/${this.pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
  }

  /** RSS now, then a restart: how long until ready, and the restarted server's RSS once settled. */
  async report(): Promise<ServerReport> {
    const rssBytes = this.rssBytes();
    const restartToReadyMs = await this.restartToReadyMs();
    await new Promise((resolve) => setTimeout(resolve, RESTARTED_RSS_AFTER_MS));
    return { rssBytes, restartToReadyMs, restartedRssBytes: this.rssBytes() };
  }

  /** From SIGTERM until the restarted server answers GET /healthz with 204. */
  async restartToReadyMs(): Promise<number> {
    const started = performance.now();
    await this.stop();
    const { child, url, log } = await spawnServer(this.args, this.env, this.nodeArgs, this.url);
    this.child = child;
    this.log = log;
    if (url !== this.url) throw new Error(`restarted on ${url}, expected ${this.url}`);
    for (;;) {
      const ok = await fetch(`${this.url}/healthz`).then(
        (r) => r.status === 204,
        () => false,
      );
      if (ok) return performance.now() - started;
      if (performance.now() - started > START_TIMEOUT_MS) throw new Error(`not ready after restart:\n${this.log}`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    this.child.kill('SIGTERM');
    await exited;
  }
}

async function spawnServer(
  args: readonly string[],
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[],
  sameUrl?: string,
): Promise<{ child: ChildProcess; url: string; log: string }> {
  // Below info the server does not announce its URL: give it a free port and wait for /livez.
  const level = args[args.indexOf('--log-level') + 1];
  const quiet = args.includes('--log-level') && (level === 'error' || level === 'warn');
  const port = sameUrl ? new URL(sameUrl).port : quiet ? String(await freePort()) : '0';
  // A trial's server serves gRPC only when the trial asks (port 50001 may be taken).
  const grpc = args.some((a) => a === '--grpc-port' || a === '--no-grpc') ? [] : ['--no-grpc'];
  const child = spawn(process.execPath, [...nodeArgs, CHIME_BIN, 'serve', '--port', port, ...grpc, ...args], {
    env: { ...process.env, ...env, CHIME_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  if (quiet) {
    const url = `http://127.0.0.1:${port}`;
    const started = performance.now();
    let log = '';
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (log += chunk));
    while (!(await fetch(`${url}/livez`).then((r) => r.status === 204, () => false))) {
      if (child.exitCode !== null || performance.now() - started > START_TIMEOUT_MS) throw new Error(`chime serve did not start:\n${log}`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    return { child, url, log };
  }
  let log = '';
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`chime serve did not start:\n${log}`)), START_TIMEOUT_MS);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const match = /serving (http:\/\/[^\s"]+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`chime serve exited (${code}):\n${log}`));
    });
  });
  // Keep draining stderr so a chatty server never blocks on a full pipe.
  child.stderr!.resume();
  return { child, url, log };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

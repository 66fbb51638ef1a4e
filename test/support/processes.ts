/** Real processes for end-to-end tests: `chime` from dist/ (built by `npm test`'s pretest) and a receiver. */
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const CHIME_BIN = `${ROOT}bin/chime.js`;

export interface ChimeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  /** Everything the process wrote to stderr so far. */
  readonly log: () => string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

/** Starts `chime serve ...` and resolves once it announces its URL. */
export async function startChime(args: string[], env: NodeJS.ProcessEnv = {}): Promise<ChimeProcess> {
  const child = spawn(process.execPath, [CHIME_BIN, 'serve', '--port', '0', ...(args.includes('--grpc-port') ? [] : ['--no-grpc']), ...args], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const exited = new Promise<number | string>((resolve) => child.on('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const url = await new Promise<string>((resolve, reject) => {
    // Generous: on a loaded 2-core machine a start (Node, migrations, engine) can take many seconds.
    const timer = setTimeout(() => reject(new Error(`chime did not start:\n${log}`)), 60_000);
    child.stderr!.setEncoding('utf8');
    child.stderr!.on('data', (chunk: string) => {
      log += chunk;
      const match = /serving (http:\/\/\S+)/.exec(log);
      if (match) {
        clearTimeout(timer);
        resolve(match[1]!);
      }
    });
    void exited.then((code) => reject(new Error(`chime exited (${code}) before serving:\n${log}`)));
  });
  return { child, url, log: () => log, exited };
}

export interface Delivery {
  at: number;
  method: string;
  path: string;
  body: { job_name?: string; data?: unknown; scheduled_time?: string; actual_time?: string } | null;
  attempt: string;
  jobId: string;
  /** The `chime-node` header: which node delivered it. */
  node: string;
  /** The body as received. */
  raw: string;
  /** Signature, token and content-type headers as received. */
  headers: Record<string, string>;
}

export interface ReceiverProcess {
  readonly url: string;
  readonly deliveries: Delivery[];
  stop(): Promise<void>;
}

export async function startReceiver(env: { status?: number; delayMs?: number; host?: string } = {}): Promise<ReceiverProcess> {
  const host = env.host ?? '127.0.0.1';
  const child = spawn(process.execPath, [`${ROOT}test/support/receiver-main.mjs`], {
    env: { ...process.env, RECEIVER_STATUS: String(env.status ?? 200), RECEIVER_DELAY_MS: String(env.delayMs ?? 0), RECEIVER_HOST: host },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const deliveries: Delivery[] = [];
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<number>((resolve) => {
    lines.on('line', (line) => {
      const parsed = JSON.parse(line) as Delivery & { listening?: number };
      if (parsed.listening !== undefined) resolve(parsed.listening);
      else deliveries.push(parsed);
    });
  });
  return {
    url: `http://${host}:${port}`,
    deliveries,
    async stop() {
      child.kill('SIGKILL');
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

export async function stopChime(chime: ChimeProcess): Promise<void> {
  if (chime.child.exitCode !== null || chime.child.signalCode !== null) return;
  chime.child.kill('SIGTERM');
  await chime.exited;
}

/**
 * Stops a child process and waits for it to be gone: SIGTERM, then SIGKILL if it is still
 * there after `graceMs` (a server that drains open streams may not exit by itself soon).
 */
export async function stopProcess(child: ChildProcess, graceMs = 5000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Runs the chime CLI to completion. */
export async function runChime(args: string[], env: NodeJS.ProcessEnv = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, [CHIME_BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
  const code = await new Promise<number>((resolve) => child.on('exit', (c) => resolve(c ?? -1)));
  return { code, stdout, stderr };
}

/** GET a JSON document (tests read loosely typed answers). */
export async function getJson(url: string): Promise<any> {
  return (await fetch(url)).json();
}

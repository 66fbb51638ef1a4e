/**
 * The SQLite store on a thread of its own (`sqlite:./chime.db?thread=on`).
 *
 * better-sqlite3 is synchronous: in the store's default form every claim, insert and outcome
 * runs on the event loop, between the timers that fire jobs and the sockets that deliver them.
 * Profiled on a callback burst, the store was about half of the server's CPU, and at a steady
 * 2,000 callbacks/s runs of back-to-back writes held the loop for up to 100 ms. Here the same
 * operations (sqlite/*.ts, unchanged) run in a worker thread with its own connection, and the
 * event loop only sends requests and receives answers: the loop fires and delivers while the
 * worker writes, on the machine's other core.
 *
 * What crosses: each call's arguments and answer, by structured clone, those of one turn in
 * one message (thread-protocol.ts, Outbox); the due signals of
 * another process's commits; errors, rebuilt as the ChimeError they were. The engine's
 * planner is a closure, so it crosses as its description (planners.ts) and the worker
 * rebuilds it. Group commit works as before: the calls that reach the worker in one of its
 * turns commit in one transaction, and each answer leaves after the commit.
 *
 * The worker runs the built JavaScript (`dist/`); tests running the TypeScript sources use
 * the build too (`npm test` builds first).
 */
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { chimeError, type ChimeError } from '../../core/errors.js';
import type { DueSignals } from '../due-signals.js';
import { plannerSpec } from '../planners.js';
import { StoreAdapter } from '../store-adapter.js';
import type { OpenBackend, OperationName, StoreDriver, StoreOps } from '../store-ops.js';
import type { ClaimRequest, DueSignal, PlanNext } from '../store.js';
import { sqliteOps, type SqliteStoreOptions } from './store.js';
import { Outbox, revivedError, type SentError, type ThreadMessage, type ThreadRequest } from './thread-protocol.js';

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

/** The main thread's end: numbered requests, answers matched back to their promises. */
export class StoreThread {
  private readonly pending = new Map<number, Pending>();
  private readonly outbox: Outbox<ThreadRequest>;
  private nextId = 1;
  private stopped: Error | undefined;

  constructor(
    private readonly worker: Worker,
    signals: DueSignals,
  ) {
    this.outbox = new Outbox((batch) => worker.postMessage(batch));
    worker.on('message', (batch: ThreadMessage[]) => {
      for (const message of batch) {
        if ('signal' in message) signals.emit(message.signal);
        else if ('id' in message) this.settle(message);
      }
    });
    worker.on('error', (error) => this.stop(error instanceof Error ? error : new Error(`the SQLite thread failed: ${String(error)}`)));
    worker.on('exit', (code) => this.stop(new Error(`the SQLite thread exited (code ${code})`)));
    // An idle store must not keep the process alive; a call in flight must (call()).
    worker.unref();
  }

  /** Whether the thread still answers. */
  get alive(): boolean {
    return this.stopped === undefined;
  }

  call(op: ThreadRequest['op'], args: unknown[]): Promise<unknown> {
    if (this.stopped) return Promise.reject(this.down());
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.outbox.push({ id, op, args });
    });
  }

  /** Closes the worker's store (checkpoint, connection) and waits for the thread to end. */
  async close(): Promise<void> {
    if (this.stopped) return;
    const exited = new Promise<void>((resolve) => this.worker.once('exit', () => resolve()));
    await this.call('close', []);
    // Referenced until it has exited (the answer unreferenced it): with nothing else left, an
    // unreferenced worker would let the process end under the awaiting caller.
    this.worker.ref();
    await exited;
  }

  private settle(message: { id: number; value?: unknown; error?: SentError }): void {
    const pending = this.pending.get(message.id);
    if (!pending) return;
    this.pending.delete(message.id);
    if (this.pending.size === 0) this.worker.unref();
    if (message.error) pending.reject(revivedError(message.error));
    else pending.resolve(message.value);
  }

  private stop(cause: Error): void {
    if (this.stopped) return;
    this.stopped = cause;
    for (const { reject } of this.pending.values()) reject(this.down());
    this.pending.clear();
  }

  private down(): ChimeError {
    return chimeError('STORE_DOWN', { backend: 'SQLite', detail: ` (its thread stopped: ${this.stopped?.message})` }, { cause: this.stopped });
  }
}

/** Arguments as they cross: planners as their descriptions. */
function sendableArgs(op: OperationName, args: unknown[]): unknown[] {
  if (op === 'claimDue') {
    const request = args[0] as ClaimRequest;
    return [{ ...request, planNext: plannerSpec(request.planNext) }];
  }
  if (op === 'cancelJob') return [...args.slice(0, 3), plannerSpec(args[3] as PlanNext)];
  return args;
}

/** Every SQLite operation, as a request to the thread. */
const threadOps = Object.fromEntries(
  (Object.keys(sqliteOps) as OperationName[]).map((op) => [op, (thread: StoreThread, ...args: unknown[]) => thread.call(op, sendableArgs(op, args))]),
) as unknown as StoreOps<StoreThread>;

/** The built worker beside this module; from the TypeScript sources (tests), the one in dist/. */
function workerFile(): URL {
  const here = new URL('./thread-worker.js', import.meta.url);
  if (!import.meta.url.endsWith('.ts')) return here;
  return new URL(here.href.replace(/\/src\/store\/sqlite\/thread-worker\.js$/, '/dist/store/sqlite/thread-worker.js'));
}

async function openThread(options: SqliteStoreOptions, signals: DueSignals): Promise<OpenBackend<StoreThread>> {
  const worker = new Worker(fileURLToPath(workerFile()), { workerData: { options }, stdout: false, stderr: false });
  await new Promise<void>((resolve, reject) => {
    const failed = (error: Error) => reject(error);
    worker.once('error', failed);
    worker.once('message', ([message]: ThreadMessage[]) => {
      worker.off('error', failed);
      if ('ready' in message && message.ready) resolve();
      else reject(message && 'error' in message ? revivedError(message.error) : new Error('the SQLite thread sent no ready message'));
    });
  }).catch(async (error: unknown) => {
    await worker.terminate();
    throw error;
  });
  const thread = new StoreThread(worker, signals);
  return {
    context: thread,
    health: async () => {
      if (!thread.alive) return { ok: false, detail: 'the SQLite thread stopped' };
      await thread.call('health', []);
      return { ok: true };
    },
    close: () => thread.close(),
  };
}

function threadDriver(options: SqliteStoreOptions): StoreDriver<StoreThread> {
  return { backend: 'sqlite', ops: threadOps, open: (signals) => openThread(options, signals) };
}

/**
 * The SQLite store with its work on a worker thread. Same file, same guarantees, same
 * contract; no `database` handle on this thread.
 *
 * @example
 * const store = new ThreadedSqliteStore({ path: './.chime/chime.db' });
 * await store.open();
 */
export class ThreadedSqliteStore extends StoreAdapter<StoreThread> {
  constructor(options: SqliteStoreOptions) {
    super(threadDriver(options));
  }
}

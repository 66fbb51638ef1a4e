/**
 * Reads that walk many rows, on a thread of their own.
 *
 * better-sqlite3 is synchronous: the store's reads run on the thread that fires and delivers
 * jobs (the event loop, or the store's own thread with `?thread=on`, where every claim waits
 * behind them). Most reads are an index lookup and a page, well under a millisecond. A few
 * count or group every job they match: the task job stats (dashboard overview, `GET
 * /api/v1/jobs/stats`) and a list's total. With 1,000,000 task jobs stored the stats took
 * 909-1,348 ms and a queue's page total 122-293 ms, and every firing waited that long
 * (docs/benchmarks.md, "SQLite: counting reads off the event loop").
 *
 * Those reads come here: a worker thread with a read-only connection to the same file. WAL
 * lets it read while the store writes, each statement from the last commit. The walk costs the
 * same CPU, on the machine's other core, and the store's thread only sends the SQL and takes
 * the answer. Kept counts (triggers on `jobs`) were tried first and made the reads O(1), but
 * cost a task job 36% more store instructions to create and 26% more to run (valgrind,
 * scripts/measure-store-instructions.mjs --tasks): every job paid for reads few make.
 *
 * Like the checkpointer (checkpointer.ts), the worker is an eval'd script that loads
 * better-sqlite3 by absolute path, so it runs the same from `dist/` and from the sources.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

const WORKER_SOURCE = `
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { createRequire } = process.getBuiltinModule('node:module');
const Database = createRequire(workerData.driver)(workerData.driver);
const db = new Database(workerData.path, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = ' + workerData.busyTimeoutMs);
const statements = new Map();
const statement = (sql, value) => {
  const key = (value ? 'value:' : 'rows:') + sql;
  let prepared = statements.get(key);
  if (!prepared) {
    prepared = value ? db.prepare(sql).pluck() : db.prepare(sql);
    statements.set(key, prepared);
  }
  return prepared;
};
parentPort.on('message', (request) => {
  if (request === 'stop') {
    db.close();
    parentPort.close();
    return;
  }
  const { id, sql, params, value } = request;
  try {
    const prepared = statement(sql, value);
    parentPort.postMessage({ id, result: value ? prepared.get(...params) : prepared.all(...params) });
  } catch (error) {
    parentPort.postMessage({ id, error: { message: String(error && error.message), code: error && error.code } });
  }
});
`;

interface Pending {
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Answer = { id: number; result: unknown } | { id: number; error: { message: string; code?: string } };

export class ScanReader {
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
  ) {
    worker.on('message', (answer: Answer) => this.settle(answer));
    worker.on('error', (error) => this.fail(error instanceof Error ? error : new Error(String(error))));
    worker.on('exit', (code) => this.fail(new Error(`the SQLite scan reader exited (code ${code})`)));
    // An idle reader must not keep the process alive; a read in flight must (ask()).
    worker.unref();
  }

  /** A reader of the database at `path` (which must exist), waiting `busyTimeoutMs` on a lock. */
  static start(path: string, busyTimeoutMs: number): ScanReader {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, busyTimeoutMs } });
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    return new ScanReader(worker, exited);
  }

  /** Why the reader stopped answering, if it did. */
  get failed(): Error | undefined {
    return this.failure;
  }

  /** Every row of `sql`. */
  rows<T>(sql: string, params: readonly unknown[] = []): Promise<T[]> {
    return this.ask(sql, params, false) as Promise<T[]>;
  }

  /** The first column of the first row of `sql`. */
  value<T>(sql: string, params: readonly unknown[] = []): Promise<T> {
    return this.ask(sql, params, true) as Promise<T>;
  }

  /** Closes the reader's connection and waits for its thread to end. */
  async stop(): Promise<void> {
    if (this.failure) return;
    // Referenced while it winds down, so the process waits for it.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }

  private ask(sql: string, params: readonly unknown[], value: boolean): Promise<unknown> {
    if (this.failure) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ id, sql, params, value });
    });
  }

  private settle(answer: Answer): void {
    const pending = this.pending.get(answer.id);
    if (!pending) return;
    this.pending.delete(answer.id);
    if (this.pending.size === 0) this.worker.unref();
    if ('error' in answer) pending.reject(Object.assign(new Error(answer.error.message), answer.error.code === undefined ? {} : { code: answer.error.code }));
    else pending.resolve(answer.result);
  }

  private fail(cause: Error): void {
    this.failure ??= cause;
    for (const { reject } of this.pending.values()) reject(cause);
    this.pending.clear();
  }
}

/**
 * Wakes the event loop at a sub-millisecond instant without keeping it busy until then.
 *
 * Node's timers fire on whole milliseconds of a loop time that lags the wall clock (libuv
 * waits in `epoll_wait`, whose timeout is whole milliseconds), so a never-early timer either
 * accepts up to a millisecond of lateness or waits out its last stretch in `setImmediate`
 * turns, which keep the thread running: 1-2 ms of CPU per timer, a whole core at 2,000
 * timers a second (docs/benchmarks.md, "Precise timers: the last milliseconds on a thread").
 *
 * Here a thread of its own sleeps in `Atomics.wait` (a futex wait, whose timeout has
 * microsecond resolution) until the earliest instant asked for, then posts a message, which
 * wakes the event loop at once. Instants are on the monotonic clock (`process.hrtime`, one
 * clock for every thread of the process), in microseconds. The thread costs about 8.5 MiB of
 * resident memory (an isolate of its own), so SystemClock starts it only once spinning has
 * cost 100 ms of CPU within one second (clock.ts).
 *
 * The thread is an eval'd script that reaches its modules through `process.getBuiltinModule`
 * (Node 20.16+), as the SQLite checkpointer does: `require` is undefined where Node evaluates
 * such a script as an ES module.
 */
import { Worker } from 'node:worker_threads';

/**
 * The shared block: an Int32 generation, bumped on every change (the thread waits on it), then
 * the instant to wake at (BigInt64, 8 bytes in). The thread has no stop: it ends with the
 * process, and is unreferenced whenever nothing waits.
 */
const GENERATION = 0;
/** No wake-up asked for. */
const NEVER = BigInt(Number.MAX_SAFE_INTEGER);

/** Messages from the thread. */
const READY = 1;
const DUE = 0;

const THREAD_SOURCE = `
const { workerData, parentPort } = process.getBuiltinModule('node:worker_threads');
const control = new Int32Array(workerData, 0, 1);
const wakeAt = new BigInt64Array(workerData, 8, 1);
const NEVER = ${NEVER}n;
parentPort.postMessage(${READY});
for (;;) {
  const generation = Atomics.load(control, ${GENERATION});
  const at = Atomics.load(wakeAt, 0);
  if (at === NEVER) {
    Atomics.wait(control, ${GENERATION}, generation);
    continue;
  }
  const waitMs = Number(at - process.hrtime.bigint() / 1000n) / 1000;
  if (waitMs > 0) {
    Atomics.wait(control, ${GENERATION}, generation, waitMs);
    continue;
  }
  parentPort.postMessage(${DUE});
  // Until the event loop asks for the next instant (or the same one again, after a change).
  Atomics.wait(control, ${GENERATION}, generation);
}
`;

interface Waiter {
  atUs: bigint;
  fn: () => void;
}

/** The monotonic clock in microseconds. */
export function monotonicMicros(): bigint {
  return process.hrtime.bigint() / 1000n;
}

export class PreciseWaker {
  private readonly control: Int32Array;
  private readonly wakeAt: BigInt64Array;
  private readonly worker: Worker;
  /** Waiting, earliest first (a handful at a time: the engine keeps one precise timer per loop). */
  private waiters: Waiter[] = [];
  private readyValue = false;

  private constructor() {
    const shared = new SharedArrayBuffer(16);
    this.control = new Int32Array(shared, 0, 1);
    this.wakeAt = new BigInt64Array(shared, 8, 1);
    Atomics.store(this.wakeAt, 0, NEVER);
    this.worker = new Worker(THREAD_SOURCE, { eval: true, workerData: shared });
    this.worker.on('message', (message: number) => {
      if (message === READY) this.readyValue = true;
      else this.wake();
    });
    // A thread that died (it never should) leaves the timers to spin: `ready` turns false.
    this.worker.on('error', () => this.stopped());
    this.worker.on('exit', () => this.stopped());
    // Referenced only while something waits: an idle waker must not keep a process alive.
    this.worker.unref();
  }

  /** A waker, or undefined where no thread can be started (the caller spins instead). */
  static tryStart(): PreciseWaker | undefined {
    try {
      return new PreciseWaker();
    } catch {
      return undefined;
    }
  }

  /** Whether the thread is up: until then (it boots in tens of milliseconds) wake-ups would be late. */
  get ready(): boolean {
    return this.readyValue;
  }

  /** Calls `fn` on the event loop once the monotonic clock reaches `atUs`; returns a cancel. */
  wakeAtMicros(atUs: bigint, fn: () => void): () => void {
    const waiter: Waiter = { atUs, fn };
    let index = this.waiters.length;
    while (index > 0 && this.waiters[index - 1]!.atUs > atUs) index--;
    this.waiters.splice(index, 0, waiter);
    if (index === 0) this.arm();
    return () => {
      const at = this.waiters.indexOf(waiter);
      if (at < 0) return;
      this.waiters.splice(at, 1);
      if (at === 0) this.arm();
    };
  }

  private stopped(): void {
    this.readyValue = false;
    const waiting = this.waiters;
    this.waiters = [];
    for (const waiter of waiting) waiter.fn();
  }

  private wake(): void {
    const now = monotonicMicros();
    let due = 0;
    while (due < this.waiters.length && this.waiters[due]!.atUs <= now) due++;
    const fired = this.waiters.splice(0, due);
    this.arm();
    for (const waiter of fired) waiter.fn();
  }

  /** Tells the thread the earliest instant now waited for (always: it waits for a change after posting). */
  private arm(): void {
    const next = this.waiters[0]?.atUs ?? NEVER;
    // Both idempotent (libuv counts a handle as referenced or not, not how often).
    if (next === NEVER) this.worker.unref();
    else this.worker.ref();
    Atomics.store(this.wakeAt, 0, next);
    Atomics.add(this.control, GENERATION, 1);
    Atomics.notify(this.control, GENERATION);
  }
}

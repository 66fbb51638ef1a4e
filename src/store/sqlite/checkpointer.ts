/**
 * WAL checkpoints on a thread of their own.
 *
 * better-sqlite3 is synchronous, so SQLite's automatic checkpoint runs inside whichever
 * commit crosses the threshold, on the event loop, fsync included: measured here, a ~30 ms
 * stall every few seconds under steady callback traffic, which is the whole p99 of fire
 * lateness. So the store's own connection turns automatic checkpoints off and this worker,
 * with a second connection to the same file, runs PASSIVE checkpoints every `everyMs`.
 * PASSIVE never blocks writers (they keep appending to the WAL while it copies pages back),
 * and a checkpoint another connection is running makes this one return busy, not wait.
 *
 * A writer starts the WAL over only once a checkpoint has copied all of it back, and under
 * writes that never pause a PASSIVE checkpoint never catches up: writes land while it copies.
 * Measured: 60,000 Dapr jobs created one request each left a 1.6 GB WAL beside a 70 MB
 * database. So once the WAL passes `restartBytes`, the worker forces a RESTART, which holds
 * writers off while it copies what is left (a store write that comes meanwhile sleeps in
 * SQLite's busy handler, 1, 2, 5, 10 ms and up) so that the next write starts the log over.
 * Two things keep that hold short, each measured as callback lateness at 2,000 jobs/s
 * (docs/benchmarks.md, "SQLite: the WAL started over without a stall"):
 * - PASSIVE passes first, until one finds at most `SETTLED_FRAMES` new frames: the first pass
 *   copies a second of writes while the store writes a few hundred frames more, which the
 *   RESTART used to copy and sync with writers held off.
 * - The file is not truncated when the log starts over (the store's connection used to, with
 *   `journal_size_limit`, inside the write that started it over, on the event loop). Under
 *   load it stays at its high-water mark, the limit plus about a second of writes, and is
 *   rewritten from its start; once `QUIET_TICKS` ticks in a row find no new writes, a TRUNCATE
 *   checkpoint here gives the space back.
 * The WAL so peaks at the limit plus one interval of writes (143 MB with the 64 MiB default
 * when 60,000 creates arrived as fast as one client could send them).
 *
 * The worker is an eval'd script that loads better-sqlite3 by the absolute path resolved here,
 * so it runs the same from `dist/` and from the TypeScript sources in tests. It reaches modules
 * through `process.getBuiltinModule` (Node 20.16+), not `require`: Node evaluates such a script
 * as an ES module in some parents (seen under the test runner), where `require` is undefined.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** RESTART checkpoints tried per tick, 1 ms apart, while the store is inside a write. */
const RESTART_ATTEMPTS = 20;
/** PASSIVE passes before a RESTART at most, and the new frames (4 KiB each) that end them early. */
const DRAIN_PASSES = 8;
const SETTLED_FRAMES = 64;
/**
 * Ticks in a row with no new writes before the file is truncated. The TRUNCATE holds writers
 * off while the file system frees the file, about 0.3 ms per MB even with all of it copied
 * back and synced first (81–104 ms for 310 MB, scripts/measure-wal-truncate.mjs), and a store
 * write that comes meanwhile waits: truncating after one quiet tick, the lateness round of a
 * scale step after 10,000,000 inserts had a p99 of 33 ms in one run (docs/benchmarks.md,
 * "SQLite: the WAL truncated only after a quiet spell").
 * Five ticks (5 s by default) keep it out of any steady traffic and out of the gap between a
 * bulk import and the jobs that follow it; a job that falls due in those few ms after a quiet
 * spell can still wait for it.
 */
const QUIET_TICKS = 5;

const WORKER_SOURCE = `
const RESTART_ATTEMPTS = ${RESTART_ATTEMPTS};
const DRAIN_PASSES = ${DRAIN_PASSES};
const SETTLED_FRAMES = ${SETTLED_FRAMES};
const QUIET_TICKS = ${QUIET_TICKS};
const { parentPort, workerData } = process.getBuiltinModule('node:worker_threads');
const { createRequire } = process.getBuiltinModule('node:module');
const { statSync } = process.getBuiltinModule('node:fs');
const Database = createRequire(workerData.driver)(workerData.driver);
const db = new Database(workerData.path, { fileMustExist: true });
db.pragma('busy_timeout = 0');
const restartFrames = Math.ceil(workerData.restartBytes / db.pragma('page_size', { simple: true }));
const walPath = workerData.path + '-wal';
const pause = new Int32Array(new SharedArrayBuffer(4));
/** A checkpoint that holds writers off (RESTART, TRUNCATE); the next tick tries again if it stays busy. */
const exclusive = (mode) => {
  // Busy while the store is inside a write (often, under load): a few more tries, 1 ms apart.
  for (let attempt = 0; attempt < RESTART_ATTEMPTS; attempt++) {
    const [result] = db.pragma('wal_checkpoint(' + mode + ')');
    if (!result.busy) return;
    Atomics.wait(pause, 0, 0, 1);
  }
};
/**
 * PASSIVE passes until one finds at most SETTLED_FRAMES new frames, or no fewer than the pass
 * before (writes that outpace the copying: more passes would only let the log grow).
 */
const drain = (frames) => {
  let previous = Infinity;
  for (let pass = 0; pass < DRAIN_PASSES; pass++) {
    const [copied] = db.pragma('wal_checkpoint(PASSIVE)');
    const fresh = copied.log - frames;
    frames = copied.log;
    if (fresh <= SETTLED_FRAMES || fresh >= previous) break;
    previous = fresh;
  }
};
/**
 * Changes whenever another connection commits. Not the log's frame count: once a tick has copied
 * the log back, the next write starts it over, and a steady stream of like writes shows the same
 * count at every tick.
 */
const dataVersion = db.prepare('PRAGMA data_version').pluck();
let lastVersion = -1;
/** Ticks in a row that found no new writes and nothing left to copy. */
let quietTicks = 0;
const checkpoint = () => {
  try {
    const [copied] = db.pragma('wal_checkpoint(PASSIVE)');
    const frames = copied.log;
    const version = dataVersion.get();
    quietTicks = version === lastVersion && copied.checkpointed === frames ? quietTicks + 1 : 0;
    lastVersion = version;
    if (quietTicks >= QUIET_TICKS && (statSync(walPath, { throwIfNoEntry: false })?.size ?? 0) > workerData.restartBytes) {
      // Quiet for a while with a file grown past the limit: give the space back. Checked before
      // the RESTART: a RESTART only lets the next write start the log over, so when writes stop
      // with the log itself past the limit it would run every tick and the file stay as large.
      exclusive('TRUNCATE');
    } else if (frames > restartFrames) {
      drain(frames);
      exclusive('RESTART');
    }
  } catch (error) {
    // SQLITE_BUSY: another connection is checkpointing; the next tick tries again.
    if (!String(error && error.code).startsWith('SQLITE_BUSY')) parentPort.postMessage({ error: String(error) });
  }
};
const timer = setInterval(checkpoint, workerData.everyMs);
parentPort.on('message', () => {
  clearInterval(timer);
  checkpoint();
  db.close();
  parentPort.close();
});
`;

export class WalCheckpointer {
  private constructor(
    private readonly worker: Worker,
    private readonly exited: Promise<void>,
  ) {}

  /**
   * Starts checkpointing the database at `path` every `everyMs`, and starting the WAL over
   * once it passes `restartBytes`; errors go to `onError`.
   */
  static start(path: string, everyMs: number, restartBytes: number, onError: (message: string) => void): WalCheckpointer {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { driver, path, everyMs, restartBytes } });
    worker.on('message', (message: { error?: string }) => {
      if (message.error) onError(message.error);
    });
    worker.on('error', (error) => onError(String(error)));
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    // An idle checkpointer must not keep a process alive that has nothing else to do.
    worker.unref();
    return new WalCheckpointer(worker, exited);
  }

  /** Runs a last checkpoint, closes the worker's connection and waits for it to exit. */
  async stop(): Promise<void> {
    // Referenced again while it winds down: with nothing else left, an unreferenced worker
    // would let the process exit under the awaiting caller, before the store is closed.
    this.worker.ref();
    this.worker.postMessage('stop');
    await this.exited;
  }
}

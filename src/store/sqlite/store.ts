import Database from 'better-sqlite3';
import type { DueSignals } from '../due-signals.js';
import { StoreAdapter } from '../store-adapter.js';
import type { OpenBackend, StoreDriver, StoreOps } from '../store-ops.js';
import * as claims from './claims.js';
import { WalCheckpointer } from './checkpointer.js';
import { SqliteContext } from './context.js';
import { Doorbell, doorbellPath } from './doorbell.js';
import * as jobCounts from './job-counts.js';
import * as jobs from './jobs.js';
import * as leases from './leases.js';
import { migrate } from './migrate.js';
import * as outcomes from './outcomes.js';
import { PeerWrites } from './peer-writes.js';
import { createPrivateFile } from './private-file.js';
import { ScanReader } from './scan-reader.js';
import * as platform from './platform.js';
import * as schedules from './schedules.js';

/**
 * When checkpoints run in commits after all: every 40 MB rather than SQLite's 4 MB of writes
 * (measured: bulk inserts 1.5x faster), at the cost of a larger WAL file.
 */
const FALLBACK_AUTOCHECKPOINT_PAGES = 10_000;

export interface SqliteStoreOptions {
  /** Path of the database file (created with its folder if missing), or ':memory:'. */
  path: string;
  /**
   * Another process's writes to the file (a job added by `chime serve` for a `chime worker`
   * sharing it) are noticed at once through a file-system watch on its doorbell (doorbell.ts);
   * this poll is the fallback where watches miss events. A check is one
   * `PRAGMA data_version` (about a microsecond).
   * @default 100
   */
  pollIntervalMs?: number;
  /**
   * `normal`: a committed job survives a crash of the process (kill -9); `full`: it also
   * survives power loss or an OS crash, at a cost of an fsync per commit.
   * @default 'normal'
   */
  synchronous?: 'normal' | 'full';
  /** How often the checkpoint worker copies the WAL back into the database, ms (default 1000). */
  checkpointEveryMs?: number;
  /**
   * The WAL file is started over once it passes this and truncated back to it, even under
   * writes that never pause (checkpointer.ts).
   * @default 64
   */
  walLimitMiB?: number;
  /** How long a writer waits for another process's write lock (ms). @default 5000 */
  busyTimeoutMs?: number;
  /**
   * SQLite page cache (MiB). Native memory, counted in the server's RSS once full; the OS
   * page cache still holds the file behind it. Measured with 300,000 future jobs bulk-inserted
   * through `chime serve`: 8 MiB instead of 32 cut the server's RSS by ~25 MiB at the same
   * insert rate (docs/benchmarks.md, "Memory and restart at 1M jobs").
   * @default 8
   */
  cacheMiB?: number;
  /**
   * Run the store's work on a worker thread with its own connection (thread.ts), so the
   * event loop only fires and delivers. Read by `createStore` (`?thread=on`), which then
   * opens a `ThreadedSqliteStore`.
   * @default false
   */
  thread?: boolean;
}

/** The SQLite store's operations: the exports of its modules, one per role. */
export const sqliteOps: StoreOps<SqliteContext> = { ...schedules, ...jobs, ...claims, ...leases, ...outcomes, ...platform, ...jobCounts };

/**
 * The embedded default store: one SQLite file in WAL mode, shared by local processes.
 *
 * @example
 * const store = new SqliteStore({ path: './.chime/chime.db' });
 * await store.open();
 */
export class SqliteStore extends StoreAdapter<SqliteContext> {
  constructor(options: SqliteStoreOptions) {
    super(sqliteDriver(options));
  }

  /** The raw connection, for benchmarks and diagnostics only. */
  get database(): Database.Database {
    return this.context.db;
  }
}

export function sqliteDriver(options: SqliteStoreOptions): StoreDriver<SqliteContext> {
  return { backend: 'sqlite', ops: sqliteOps, open: async (signals) => openSqlite(options, signals) };
}

function openSqlite(options: SqliteStoreOptions, signals: DueSignals): OpenBackend<SqliteContext> {
  const { path } = options;
  if (path !== ':memory:') createPrivateFile(path);
  const db = new Database(path);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  const busyTimeoutMs = options.busyTimeoutMs ?? 5000;
  db.pragma(`busy_timeout = ${busyTimeoutMs}`);
  db.pragma(`cache_size = -${(options.cacheMiB ?? 8) * 1024}`);
  db.pragma('temp_store = MEMORY');
  migrate(db, Date.now());
  const shared = path !== ':memory:';
  const context = new SqliteContext(db, shared ? () => ScanReader.start(path, busyTimeoutMs) : undefined, shared);
  const walLimitBytes = (options.walLimitMiB ?? 64) * 1024 * 1024;
  const checkpointer = shared ? startCheckpointer(db, path, options.checkpointEveryMs ?? 1000, walLimitBytes) : undefined;
  const peers = new PeerWrites(db, signals, options.pollIntervalMs ?? 100, { origin: context.origin });
  const doorbell = shared ? Doorbell.open(path) : undefined;
  if (doorbell) {
    context.afterPublish = () => doorbell.ring();
    peers.watch(doorbellPath(path));
  }
  return {
    context,
    health: async () => {
      db.prepare('SELECT 1').get();
      return { ok: true };
    },
    close: async () => {
      await context.stopScans();
      await checkpointer?.stop();
      peers.stop();
      doorbell?.close();
      db.close();
    },
  };
}

/**
 * Checkpoints move to a worker thread (see checkpointer.ts): a checkpoint in a commit on the
 * event loop stalled firing by ~30 ms every few seconds. Should the worker fail, the
 * connection checkpoints by itself again rather than let the WAL grow without bound.
 */
function startCheckpointer(db: Database.Database, path: string, everyMs: number, walLimitBytes: number): WalCheckpointer {
  db.pragma('wal_autocheckpoint = 0');
  // No journal_size_limit: this connection starts the log over, and truncating the file in
  // that write stalled the event loop (checkpointer.ts); the worker truncates it after a quiet spell.
  return WalCheckpointer.start(path, everyMs, walLimitBytes, (message) => {
    if (db.open) {
      db.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT_PAGES}`);
      db.pragma(`journal_size_limit = ${walLimitBytes}`);
    }
    process.emitWarning(`SQLite checkpoint worker failed (${message}); checkpointing on the main thread instead`);
  });
}

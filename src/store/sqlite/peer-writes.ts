/**
 * Notices commits by other processes sharing the file (a `chime worker`) and tells the
 * listeners to re-read (a null signal). `data_version` changes only when another connection
 * commits; a check is one `PRAGMA data_version` (about a microsecond).
 */
import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type Database from 'better-sqlite3';
import type { DueSignals } from '../due-signals.js';

/**
 * A file event whose check saw no new commit is checked again this much later. A commit
 * writes its frames to the `-wal` file (the event) and only then publishes them in the shared
 * index, so a check that runs in between sees nothing new. Without the second look the job
 * waited for the next commit or the 100 ms poll: a worker in another process started one
 * immediate job in five 5-7 ms late, when the next job's commit woke it (docs/benchmarks.md,
 * "A peer's commit seen before it is published").
 */
export const RECHECK_AFTER_MS = 1;

export class PeerWrites {
  private readonly poller: NodeJS.Timeout;
  /**
   * Prepared once: `db.pragma()` prepares its statement on every call, and every commit of our
   * own wakes the watch below (4.5% of the server's CPU through a run of Dapr-style creates).
   */
  private readonly dataVersionQuery: Database.Statement;
  private watcher: FSWatcher | undefined;
  private checkQueued = false;
  /** At most one pending second look, so a busy file costs at most one extra check per ms. */
  private recheck: NodeJS.Timeout | undefined;
  private dataVersion: number;

  constructor(
    private readonly db: Database.Database,
    private readonly signals: DueSignals,
    pollIntervalMs: number,
  ) {
    this.dataVersionQuery = db.prepare('PRAGMA data_version').pluck();
    this.dataVersion = this.readDataVersion();
    this.poller = setInterval(() => this.check(), pollIntervalMs);
    this.poller.unref();
  }

  /**
   * Every commit, ours or a peer's, appends to the `-wal` file; the watch turns that into a
   * data_version check on the next turn (one per turn however many events arrive).
   */
  watch(path: string): void {
    const prefix = basename(path);
    try {
      this.watcher = watch(dirname(path), { persistent: false }, (_event, file) => {
        if (file === null || file.startsWith(prefix)) this.fileChanged();
      });
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch on this file system: the poll alone notices peers' writes.
    }
  }

  /** A write to the file was seen: check on the next turn, and once more soon if it showed nothing. */
  fileChanged(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      if (this.check() || this.recheck) return;
      this.recheck = setTimeout(() => {
        this.recheck = undefined;
        this.check();
      }, RECHECK_AFTER_MS);
      this.recheck.unref();
    });
  }

  stop(): void {
    clearInterval(this.poller);
    clearTimeout(this.recheck);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private readDataVersion(): number {
    return this.dataVersionQuery.get() as number;
  }

  /** Whether another connection committed since the last check (the listeners are told). */
  private check(): boolean {
    if (!this.db.open || !this.signals.hasListeners) return false;
    const version = this.readDataVersion();
    if (version === this.dataVersion) return false;
    this.dataVersion = version;
    this.signals.emit(null);
    return true;
  }
}

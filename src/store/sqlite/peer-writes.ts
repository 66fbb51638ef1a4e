/**
 * Tells this process's listeners what other processes sharing the file (a `chime worker`
 * beside `chime serve`) made due: the rows their commits appended to the due log
 * (migrations/014-due-log.sql), one signal per lane, or a null signal (re-read everything)
 * where the log says so or where rows were pruned before this process read them.
 *
 * A check is one `PRAGMA data_version` (about a microsecond; it moves only when another
 * connection commits), and the log is read only when it moved. Checks run when a peer rings
 * the doorbell (doorbell.ts: after each commit that made something due) and on a poll, the
 * fallback where watches miss events or a peer could not ring. A commit that made nothing due
 * (a claim, a finished job, a heartbeat) rings nothing and wakes nobody.
 */
import { watch, type FSWatcher } from 'node:fs';
import type Database from 'better-sqlite3';
import type { JobTarget } from '../../core/types.js';
import type { DueSignals } from '../due-signals.js';

/** A row of the due log. */
type DueLogRow = [id: number, origin: string, target: JobTarget | null, queue: string | null, runAt: number | null, more: 0 | 1];

export interface PeerWritesOptions {
  /** This connection's origin in the due log (SqliteContext.origin): its own rows are skipped. */
  origin?: string;
}

export class PeerWrites {
  private readonly poller: NodeJS.Timeout;
  /**
   * Prepared once: `db.pragma()` prepares its statement on every call (4.5% of the server's
   * CPU through a run of Dapr-style creates, when every commit woke the check).
   */
  private readonly dataVersionQuery: Database.Statement;
  private readonly dueLogQuery: Database.Statement;
  private dataVersion: number;
  /** The last due log row read. */
  private dueLogId: number;
  private readonly origin: string | undefined;
  private watcher: FSWatcher | undefined;
  private checkQueued = false;
  private stopped = false;

  constructor(
    private readonly db: Database.Database,
    private readonly signals: DueSignals,
    pollIntervalMs: number,
    options: PeerWritesOptions = {},
  ) {
    this.origin = options.origin;
    this.dataVersionQuery = db.prepare('PRAGMA data_version').pluck();
    this.dueLogQuery = db.prepare('SELECT id, origin, target, queue, run_at, more FROM due_log WHERE id > ? ORDER BY id').raw(true);
    this.dataVersion = this.dataVersionQuery.get() as number;
    this.dueLogId = db.prepare('SELECT coalesce(max(id), 0) FROM due_log').pluck().get() as number;
    this.poller = setInterval(() => this.check(), pollIntervalMs);
    this.poller.unref();
  }

  /** Watches the doorbell at `path` (doorbell.ts): a ring checks on the next turn. */
  watch(path: string): void {
    try {
      this.watcher = watch(path, { persistent: false }, () => this.rang());
      this.watcher.on('error', () => this.watcher?.close());
    } catch {
      // No watch on this file system: the poll alone notices peers' writes.
    }
  }

  /** A peer rang: check on the next turn (one check per turn however many rings arrive). */
  rang(): void {
    if (this.checkQueued) return;
    this.checkQueued = true;
    setImmediate(() => {
      this.checkQueued = false;
      this.check();
    });
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poller);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private check(): void {
    if (this.stopped || !this.db.open || !this.signals.hasListeners) return;
    const version = this.dataVersionQuery.get() as number;
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    const rows = this.dueLogQuery.all(this.dueLogId) as DueLogRow[];
    if (rows.length === 0) return;
    const skipped = rows[0]![0] !== this.dueLogId + 1;
    this.dueLogId = rows[rows.length - 1]![0];
    // Rows pruned before this process read them: what they said is unknown.
    if (skipped) return this.signals.emit(null);
    const peers = rows.filter((row) => row[1] !== this.origin);
    // A re-read of everything covers the lanes' signals too.
    if (peers.some((row) => row[2] === null)) return this.signals.emit(null);
    for (const [, , target, queue, runAt, more] of peers) {
      this.signals.emit({ target: target!, queue: queue!, runAt: runAt!, ...(more === 1 ? { more: true } : {}) });
    }
  }
}

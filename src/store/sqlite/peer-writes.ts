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
 * A commit writes its frames to the `-wal` file (the file event) and only then publishes them
 * in the shared index, so a check that runs in between sees nothing new. Without another look
 * the job waited for the next commit or the 100 ms poll: a worker in another process started
 * one immediate job in five 5-7 ms late, when the next job's commit woke it (docs/benchmarks.md,
 * "A peer's commit seen before it is published").
 *
 * A missed check looks again on the next turns of the event loop, for this long after the
 * event: the index is published microseconds to a few hundred microseconds after the frames,
 * where the single later look waited 1-2 ms (docs/benchmarks.md, "A peer's commit caught on
 * the next turns"). Those turns keep the loop from sleeping, so they are kept from costing:
 * - none for an event that came after one of this connection's own commits (since the event
 *   before it), which fire the watch too: the event is almost always that commit's own;
 * - none for an event that came within PEER_COMMIT_EVENT_WITHIN_MS of a check that found a
 *   peer's commit: most often that commit's own event, read after a timer's check had seen it
 *   (the rule cut the chains of looks that found nothing from 452 to 250 in 1,100 jobs);
 * - at most LOOK_BUDGET_MS of them in any LOOK_BUDGET_WINDOW_MS, whatever else fires the
 *   watch: with turns after every miss, a worker draining jobs one at a time beside the server
 *   ran 7% slower in one bench pair.
 */
const LOOK_AGAIN_FOR_MS = 0.25;
const LOOK_BUDGET_MS = 2;
const PEER_COMMIT_EVENT_WITHIN_MS = 1;
const LOOK_BUDGET_WINDOW_MS = 100;

/** After the turns, or a miss after an own commit: one more look this much later. */
const RECHECK_AFTER_MS = 1;

export interface PeerWritesOptions {
  /** How many transactions this process's connection has committed so far. */
  ownCommits?: () => number;
  /** @default LOOK_AGAIN_FOR_MS */
  lookAgainForMs?: number;
  /** @default RECHECK_AFTER_MS */
  recheckAfterMs?: number;
  /** @default LOOK_BUDGET_MS */
  lookBudgetMs?: number;
  /** @default PEER_COMMIT_EVENT_WITHIN_MS */
  peerCommitEventWithinMs?: number;
}

export class PeerWrites {
  private readonly poller: NodeJS.Timeout;
  /**
   * Prepared once: `db.pragma()` prepares its statement on every call, and every commit of our
   * own wakes the watch below (4.5% of the server's CPU through a run of Dapr-style creates).
   */
  private readonly dataVersionQuery: Database.Statement;
  private watcher: FSWatcher | undefined;
  private checkQueued = false;
  /** `ownCommits()` when the last file event came. */
  private ownCommitsAtLastEvent: number;
  /** Whether the check chain now queued looks only once (see LOOK_AGAIN_FOR_MS). */
  private chainLooksOnce = false;
  /** When a check last found a peer's commit. */
  private peerCommitSeenAt = -Infinity;
  /** Time spent looking on later turns since `budgetWindowStart`. */
  private lookSpentMs = 0;
  private budgetWindowStart = -Infinity;
  private stopped = false;
  /** At most one pending second look, so a busy file costs at most one extra check per ms. */
  private recheck: NodeJS.Timeout | undefined;
  private dataVersion: number;

  private readonly ownCommits: () => number;
  private readonly lookAgainForMs: number;
  private readonly recheckAfterMs: number;
  private readonly lookBudgetMs: number;
  private readonly peerCommitEventWithinMs: number;

  constructor(
    private readonly db: Database.Database,
    private readonly signals: DueSignals,
    pollIntervalMs: number,
    options: PeerWritesOptions = {},
  ) {
    this.ownCommits = options.ownCommits ?? (() => 0);
    this.ownCommitsAtLastEvent = this.ownCommits();
    this.lookAgainForMs = options.lookAgainForMs ?? LOOK_AGAIN_FOR_MS;
    this.recheckAfterMs = options.recheckAfterMs ?? RECHECK_AFTER_MS;
    this.lookBudgetMs = options.lookBudgetMs ?? LOOK_BUDGET_MS;
    this.peerCommitEventWithinMs = options.peerCommitEventWithinMs ?? PEER_COMMIT_EVENT_WITHIN_MS;
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

  /** A write to the file was seen: check on the next turn, and on later ones if it showed nothing. */
  fileChanged(): void {
    const commits = this.ownCommits();
    const afterOwnCommit = commits !== this.ownCommitsAtLastEvent;
    this.ownCommitsAtLastEvent = commits;
    if (this.checkQueued) {
      if (afterOwnCommit) this.chainLooksOnce = true;
      return;
    }
    this.checkQueued = true;
    const seenAt = performance.now();
    this.chainLooksOnce = afterOwnCommit || seenAt - this.peerCommitSeenAt < this.peerCommitEventWithinMs;
    let lookedAt: number | undefined;
    const look = (): void => {
      this.checkQueued = false;
      if (!this.listening()) return;
      if (this.check()) return;
      const now = performance.now();
      // The wait for the first look is not looking; the turns after it are.
      const spent = lookedAt === undefined ? 0 : now - lookedAt;
      lookedAt = now;
      if (!this.chainLooksOnce && now - seenAt < this.lookAgainForMs && this.spend(spent, now)) {
        this.checkQueued = true;
        setImmediate(look);
        return;
      }
      this.lookOnceMoreLater();
    };
    setImmediate(look);
  }

  /** Counts `ms` of looking against the budget; whether there is budget left for another turn. */
  private spend(ms: number, now: number): boolean {
    if (now - this.budgetWindowStart >= LOOK_BUDGET_WINDOW_MS) {
      this.budgetWindowStart = now;
      this.lookSpentMs = 0;
    }
    this.lookSpentMs += ms;
    return this.lookSpentMs < this.lookBudgetMs;
  }

  private lookOnceMoreLater(): void {
    if (this.recheck || !this.listening()) return;
    this.recheck = setTimeout(() => {
      this.recheck = undefined;
      this.check();
    }, this.recheckAfterMs);
    this.recheck.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.poller);
    clearTimeout(this.recheck);
    this.watcher?.close();
    this.watcher = undefined;
  }

  private listening(): boolean {
    return !this.stopped && this.db.open && this.signals.hasListeners;
  }

  private readDataVersion(): number {
    return this.dataVersionQuery.get() as number;
  }

  /** Whether another connection committed since the last check (the listeners are told). */
  private check(): boolean {
    if (!this.listening()) return false;
    const version = this.readDataVersion();
    if (version === this.dataVersion) return false;
    this.dataVersion = version;
    this.peerCommitSeenAt = performance.now();
    this.signals.emit(null);
    return true;
  }
}

/**
 * Two connections to one SQLite file (`chime serve` and a `chime worker`): a commit by one
 * wakes the other's claimers with a null due signal ("re-read"), found by `PRAGMA
 * data_version`, which moves only for other connections' commits.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DueSignals } from '../../src/store/due-signals.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { PeerWrites, type PeerWritesOptions } from '../../src/store/sqlite/peer-writes.js';
import type { DueSignal, Store } from '../../src/store/store.js';
import { T0, newJob } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

describe('SQLite: writes by another connection to the file', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  async function twoStores(): Promise<[Store, Store]> {
    const path = tempDbPath();
    const first = createSqliteStore({ path });
    await first.open();
    const second = createSqliteStore({ path });
    await second.open();
    opened.push(first, second);
    return [first, second];
  }

  it("wakes the other store's listeners, again on every later commit", async () => {
    const [writer, reader] = await twoStores();
    const seen: (DueSignal | null)[] = [];
    reader.onDue((signal) => seen.push(signal));
    await writer.insertJobs([newJob({ runAt: T0 + 50 })]);
    await vi.waitFor(() => expect(seen).toContain(null), { timeout: 5000, interval: 10 });
    const before = seen.length;
    await writer.insertJobs([newJob({ runAt: T0 + 60 })]);
    await vi.waitFor(() => expect(seen.length).toBeGreaterThan(before), { timeout: 5000, interval: 10 });
    expect(seen.every((signal) => signal === null)).toBe(true);
  });

  it('looks again soon when a file event came before the commit it announced was published', async () => {
    const path = tempDbPath();
    const reader = new Database(path);
    const writer = new Database(path);
    reader.pragma('journal_mode = WAL');
    writer.exec('CREATE TABLE t (x INTEGER)');
    const signals = new DueSignals();
    const seen: (DueSignal | null)[] = [];
    signals.subscribe((signal) => seen.push(signal));
    // No watch and a poll far away: only the second look can notice the commit below.
    const peers = new PeerWrites(reader, signals, 600_000);
    try {
      peers.fileChanged();
      await new Promise((resolve) => setImmediate(resolve));
      expect(seen).toEqual([]); // the first check found nothing new
      writer.prepare('INSERT INTO t VALUES (1)').run();
      await vi.waitFor(() => expect(seen).toEqual([null]), { timeout: 5000, interval: 5 });
    } finally {
      peers.stop();
      reader.close();
      writer.close();
    }
  });

  describe('a file event whose first check saw nothing', () => {
    let cleanup: (() => void) | undefined;
    afterEach(() => {
      cleanup?.();
      cleanup = undefined;
    });

    /** Two connections to one file, and the reader's PeerWrites with no watch and no poll. */
    function watchedPair(options: PeerWritesOptions) {
      const path = tempDbPath();
      const reader = new Database(path);
      const writer = new Database(path);
      reader.pragma('journal_mode = WAL');
      writer.exec('CREATE TABLE t (x INTEGER)');
      const signals = new DueSignals();
      const seen: (DueSignal | null)[] = [];
      signals.subscribe((signal) => seen.push(signal));
      const peers = new PeerWrites(reader, signals, 600_000, options);
      cleanup = () => {
        peers.stop();
        reader.close();
        writer.close();
      };
      return { peers, seen, commit: () => writer.prepare('INSERT INTO t VALUES (1)').run() };
    }

    /** The rest of this turn and the next: a look queued before this call has run by then. */
    const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

    // A window of a minute: however slow the machine, the looks below fall inside it.
    it('looks again on the next turn, so a commit published a turn later is seen at once', async () => {
      const { peers, seen, commit } = watchedPair({ lookAgainForMs: 60_000 });
      peers.fileChanged();
      await nextTurn(); // the first look: nothing published yet
      expect(seen).toEqual([]);
      commit();
      await nextTurn(); // the next turn's look
      expect(seen).toEqual([null]);
    });

    // Each case: no look on the turn after the first; the later look (half a second away, so
    // the next turn surely comes first) finds the commit.
    it.each([
      { why: 'after a commit of its own', options: { lookAgainForMs: 60_000 }, ownCommitFirst: true, peerCommitFirst: false },
      { why: 'once the window after the event has passed', options: { lookAgainForMs: 0 }, ownCommitFirst: false, peerCommitFirst: false },
      { why: 'while its budget for them is spent', options: { lookAgainForMs: 60_000, lookBudgetMs: 0 }, ownCommitFirst: false, peerCommitFirst: false },
      {
        why: "right after a check found a peer's commit",
        options: { lookAgainForMs: 60_000, peerCommitEventWithinMs: 60_000 },
        ownCommitFirst: false,
        peerCommitFirst: true,
      },
    ])('does not look on later turns $why, only once more later', async ({ options, ownCommitFirst, peerCommitFirst }) => {
      let own = 0;
      const { peers, seen, commit } = watchedPair({ ...options, recheckAfterMs: 500, ownCommits: () => own });
      if (peerCommitFirst) {
        commit();
        peers.fileChanged();
        await nextTurn(); // that check finds the peer's commit
        expect(seen).toEqual([null]);
        seen.length = 0;
      }
      if (ownCommitFirst) own++; // this connection committed: the event is most likely its own
      peers.fileChanged();
      await nextTurn();
      commit();
      await nextTurn();
      expect(seen).toEqual([]);
      await vi.waitFor(() => expect(seen).toEqual([null]), { timeout: 5000, interval: 10 });
    });
  });
});

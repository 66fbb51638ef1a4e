/**
 * Two connections to one SQLite file (`chime serve` and a `chime worker`): a commit by one
 * that makes something due tells the other's claimers what (the due log's rows, read when
 * `PRAGMA data_version` moves, which it does only for other connections' commits); a commit
 * that makes nothing due tells them nothing.
 */
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { JobOutcome } from '../../src/store/store.js';
import { DueSignals } from '../../src/store/due-signals.js';
import { DUE_LOG_KEEP, SqliteContext } from '../../src/store/sqlite/context.js';
import { Doorbell } from '../../src/store/sqlite/doorbell.js';
import { createSqliteStore } from '../../src/store/sqlite/index.js';
import { migrate } from '../../src/store/sqlite/migrate.js';
import { PeerWrites } from '../../src/store/sqlite/peer-writes.js';
import type { DueSignal, Store } from '../../src/store/store.js';
import { T0, newJob } from '../support/fixtures.js';
import { tempDbPath } from '../support/temp.js';

/** A file with Chime's schema and two raw connections to it. */
function rawPair(): { path: string; reader: Database.Database; writer: Database.Database } {
  const path = tempDbPath();
  const reader = new Database(path);
  reader.pragma('journal_mode = WAL');
  migrate(reader, T0);
  return { path, reader, writer: new Database(path) };
}

describe('SQLite: writes by another connection to the file', () => {
  const opened: Store[] = [];
  afterEach(async () => {
    await Promise.all(opened.splice(0).map((store) => store.close()));
  });

  /** Two stores on one file whose polls never run in a test: only the doorbell wakes them. */
  async function twoStores(): Promise<[Store, Store]> {
    const path = tempDbPath();
    const first = createSqliteStore({ path, pollIntervalMs: 600_000 });
    await first.open();
    const second = createSqliteStore({ path, pollIntervalMs: 600_000 });
    await second.open();
    opened.push(first, second);
    return [first, second];
  }

  const lane = { target: 'task', queue: 'default' } as const;

  it("tells the other store's listeners what each commit made due, and rings for nothing else", async () => {
    const [writer, reader] = await twoStores();
    const seen: (DueSignal | null)[] = [];
    reader.onDue((signal) => seen.push(signal));
    const rings = vi.spyOn(Doorbell.prototype, 'ring');
    await writer.insertJobs([newJob({ runAt: T0 + 50 }), newJob({ runAt: T0 + 70 })]);
    await vi.waitFor(() => expect(seen).toEqual([{ ...lane, runAt: T0 + 50, more: true }]), { timeout: 5000, interval: 10 });
    // A claim, a finished job and a heartbeat make nothing due: the next signal is the insert after them.
    const [claimed] = await writer.claimDue({
      lane: { target: 'task', queues: ['default'], tasks: ['process_data'] },
      now: T0 + 50,
      limit: 1,
      owner: 'w1',
      leaseMs: 5000,
      planNext: () => ({ deliver: true, next: null }),
    });
    const done: JobOutcome = { jobId: claimed!.id, owner: 'w1', status: 'completed', finishedAt: T0 + 51 };
    await writer.recordOutcomes([done]);
    await writer.saveWorker({ id: 'w1', hostname: 'h', pid: process.pid, queues: ['default'], tasks: ['process_data'], concurrency: 1, startedAt: T0, lastSeenAt: T0, status: 'active' });
    expect(rings).toHaveBeenCalledTimes(1); // the first insert's
    await writer.insertJobs([newJob({ runAt: T0 + 90 })]);
    expect(rings).toHaveBeenCalledTimes(2);
    rings.mockRestore();
    await vi.waitFor(() => expect(seen).toHaveLength(2), { timeout: 5000, interval: 10 });
    expect(seen[1]).toEqual({ ...lane, runAt: T0 + 90 });
  });

  it('skips its own rows in the log', async () => {
    const [writer, reader] = await twoStores();
    const seen: (DueSignal | null)[] = [];
    reader.onDue((signal) => seen.push(signal));
    await reader.insertJobs([newJob({ runAt: T0 + 10 })]); // told at once, by the reader's own store
    await writer.insertJobs([newJob({ runAt: T0 + 20 })]); // read with the reader's row after it
    await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(2), { timeout: 5000, interval: 10 });
    expect(seen).toEqual([{ ...lane, runAt: T0 + 10 }, { ...lane, runAt: T0 + 20 }]);
  });

  it('re-reads everything for a resumed queue and a changed limit', async () => {
    const [writer, reader] = await twoStores();
    const seen: (DueSignal | null)[] = [];
    reader.onDue((signal) => seen.push(signal));
    await writer.setQueuePaused('default', true, T0); // pausing makes nothing due: no row
    await writer.setQueuePaused('default', false, T0);
    await vi.waitFor(() => expect(seen).toEqual([null]), { timeout: 5000, interval: 10 });
    await writer.setQueueConcurrency('default', 2, T0);
    await vi.waitFor(() => expect(seen).toEqual([null, null]), { timeout: 5000, interval: 10 });
  });

  it('re-reads everything when the rows it had not read were pruned', async () => {
    const { reader, writer } = rawPair();
    const signals = new DueSignals();
    const seen: (DueSignal | null)[] = [];
    signals.subscribe((signal) => seen.push(signal));
    const peers = new PeerWrites(reader, signals, 600_000);
    try {
      const peer = new SqliteContext(writer, undefined, true);
      for (let i = 0; i < DUE_LOG_KEEP + 300; i++) peer.write(() => peer.publish([{ ...lane, runAt: T0 + i }]));
      expect(writer.prepare('SELECT min(id) FROM due_log').pluck().get()).toBeGreaterThan(1);
      peers.rang();
      await vi.waitFor(() => expect(seen).toEqual([null]), { timeout: 5000, interval: 5 });
    } finally {
      peers.stop();
      reader.close();
      writer.close();
    }
  });

  it('finds a peer that did not ring on its poll', async () => {
    const { reader, writer } = rawPair();
    const signals = new DueSignals();
    const seen: (DueSignal | null)[] = [];
    signals.subscribe((signal) => seen.push(signal));
    const peers = new PeerWrites(reader, signals, 10); // no watch
    try {
      const peer = new SqliteContext(writer, undefined, true);
      peer.write(() => peer.publish([{ ...lane, runAt: T0 + 5 }]));
      await vi.waitFor(() => expect(seen).toEqual([{ ...lane, runAt: T0 + 5 }]), { timeout: 5000, interval: 5 });
    } finally {
      peers.stop();
      reader.close();
      writer.close();
    }
  });
});

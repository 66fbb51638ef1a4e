/**
 * WAL checkpoints run on a worker thread (src/store/sqlite/checkpointer.ts), not inside
 * commits on the event loop: the WAL is copied back and reused while the store keeps writing.
 */
import { execFileSync } from 'node:child_process';
import { closeSync, openSync, readSync, statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteStore, type SqliteStoreOptions } from '../../src/store/sqlite/store.js';
import { waitFor } from '../support/receiver.js';
import { tempDbPath } from '../support/temp.js';

/**
 * The WAL header's checkpoint sequence number (bytes 12–15, big-endian): a writer bumps it
 * when it starts the log over, which it may only do once a checkpoint has copied it all back.
 */
function walCheckpointSequence(walPath: string): number {
  const header = Buffer.alloc(16);
  const fd = openSync(walPath, 'r');
  try {
    readSync(fd, header, 0, 16, 0);
  } finally {
    closeSync(fd);
  }
  return header.readUInt32BE(12);
}

type Database = SqliteStore['database'];
interface PaddedStore {
  path: string;
  db: Database;
  /** Inserts one 4 KiB row into the `pad` table: about two WAL pages when it commits on its own. */
  insert: () => void;
}

/** A store with the options given and a `pad` table to fill the WAL with; closed after `use`. */
async function withPaddedStore(options: Omit<SqliteStoreOptions, 'path'>, use: (store: PaddedStore) => Promise<void>): Promise<void> {
  const path = tempDbPath();
  const store = new SqliteStore({ path, ...options });
  await store.open();
  try {
    const db = store.database;
    db.exec('CREATE TABLE pad (b BLOB)');
    const statement = db.prepare('INSERT INTO pad (b) VALUES (randomblob(4096))');
    await use({ path, db, insert: () => void statement.run() });
  } finally {
    await store.close();
  }
}

/**
 * 4 MB in one commit (past a 1 MiB limit whatever the checkpoints do meanwhile), then one row
 * at a time until a write starts the log over; returns the rows written.
 */
async function fillPastLimitAndStartOver({ path, db, insert }: PaddedStore): Promise<number> {
  const wal = `${path}-wal`;
  let rows = 1000;
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert();
  })();
  expect(statSync(wal).size).toBeGreaterThan(4_000_000);
  const sequence = walCheckpointSequence(wal);
  await waitFor(() => {
    insert();
    rows++;
    return walCheckpointSequence(wal) !== sequence;
  }, 5000, 'a write to start the log over');
  return rows;
}

describe('SQLite WAL checkpoints', () => {
  it('are taken by the checkpoint worker, so the WAL is reused instead of growing', async () => {
    await withPaddedStore({ checkpointEveryMs: 50 }, async ({ path, db, insert }) => {
      // The store's own connection never checkpoints: the worker does.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      // ~8 MB per fill, under the 40 MB main-thread fallback threshold.
      const fill = db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert();
      });
      fill();
      const wal = `${path}-wal`;
      const afterFirst = statSync(wal).size;
      const sequence = walCheckpointSequence(wal);
      // One row at a time until a write starts the log over: only the worker can have
      // checkpointed it (this connection never does, and 8 MB is below the fallback).
      await waitFor(() => {
        insert();
        return walCheckpointSequence(wal) !== sequence;
      }, 5000, 'the checkpoint worker to let the WAL start over');
      fill();
      const afterSecond = statSync(wal).size;
      // Without a checkpoint in between, the second fill would append: about twice the size.
      expect(afterSecond).toBeLessThan(afterFirst * 1.5);
    });
  });

  it('keeps the WAL near its limit under writes that never pause', async () => {
    // A PASSIVE checkpoint never catches up with a writer that never pauses, so the log is
    // never started over: 60,000 creates left a 1.6 GB WAL. Past walLimitMiB the worker
    // forces a RESTART between two commits, and the next commit starts the file over.
    await withPaddedStore({ checkpointEveryMs: 20, walLimitMiB: 1 }, async ({ db, insert }) => {
      // One commit after another, ~2 pages each, at least 4,000 of them (32 MB however slow
      // the machine) and for at least a second (50 checkpoint ticks however fast it is):
      // without the RESTART the WAL would hold all of them. Between commits the writer works
      // for 50 µs without yielding, as a server handling requests does: with no gap at all a
      // RESTART on a slow, loaded machine found the write lock free too rarely (the WAL reached
      // 30 MB), which is a harsher writer than any the store has.
      const end = Date.now() + 1000;
      let commits = 0;
      while (commits < 4000 || Date.now() < end) {
        insert();
        commits++;
        const busyUntil = performance.now() + 0.05;
        while (performance.now() < busyUntil);
      }
      // The log in use (frames since it last started over), not the file: the file keeps its
      // high-water mark while writes go on, and is truncated once they stop (below).
      const [{ log }] = db.pragma('wal_checkpoint(PASSIVE)') as { log: number }[];
      expect(log).toBeLessThan((commits * 2) / 4);
    });
  });

  it('gives the space back once writes stop, not in the write that starts the log over', async () => {
    await withPaddedStore({ checkpointEveryMs: 20, walLimitMiB: 1 }, async (store) => {
      const { path, db, insert } = store;
      // Truncating inside the write that starts the log over stalled the event loop.
      expect(db.pragma('journal_size_limit', { simple: true })).toBe(-1);
      const wal = `${path}-wal`;
      // Writes that start the log over keep the file's size: reused, not cut, while busy.
      const rows = await fillPastLimitAndStartOver(store);
      expect(statSync(wal).size).toBeGreaterThan(4_000_000);
      // No writes for five ticks: the worker truncates the file, and nothing written is lost.
      await waitFor(() => statSync(wal).size === 0, 5000, 'the idle WAL to be truncated');
      insert();
      expect(db.prepare('SELECT count(*) AS n FROM pad').get()).toEqual({ n: rows + 1 });
    });
  });

  it('truncates only after a quiet spell, not in a gap between writes', async () => {
    // The TRUNCATE holds writers off while the file system frees the file: in a short gap of
    // a busy stream (a lateness round after a bulk import) the next write waited for it.
    await withPaddedStore({ checkpointEveryMs: 40, walLimitMiB: 1 }, async (store) => {
      const { path, insert } = store;
      const wal = `${path}-wal`;
      await fillPastLimitAndStartOver(store);
      // A write every 60 ms for a second. Ticks (40 ms) that find nothing new come between
      // writes, never five in a row (200 ms). And as each tick copies the log back, each write
      // starts it over with the same two frames: a tick that counted frames saw no writes at all.
      const pause = new Int32Array(new SharedArrayBuffer(4));
      let smallest = Infinity;
      for (const end = Date.now() + 1000; Date.now() < end; Atomics.wait(pause, 0, 0, 60)) {
        insert();
        smallest = Math.min(smallest, statSync(wal).size);
      }
      expect(smallest).toBeGreaterThan(4_000_000);
      // Then quiet: the space comes back.
      await waitFor(() => statSync(wal).size === 0, 5000, 'the quiet WAL to be truncated');
    });
  });

  it('gives the space back when writes stop with the log itself past the limit', async () => {
    // A RESTART lets the next write start the log over, but with no next write the log keeps
    // every frame: a worker that kept restarting a log past the limit never reached the
    // TRUNCATE, and an import that ended so left an 80 MiB WAL on an idle server.
    await withPaddedStore({ checkpointEveryMs: 20, walLimitMiB: 1 }, async ({ path, db, insert }) => {
      const wal = `${path}-wal`;
      // Over 4 MB in one commit and nothing after it: the log is past the 1 MiB limit when writes stop.
      db.transaction(() => {
        for (let i = 0; i < 1000; i++) insert();
      })();
      expect(statSync(wal).size).toBeGreaterThan(4_000_000);
      await waitFor(() => statSync(wal).size === 0, 5000, 'the WAL of the last, oversized commit to be truncated');
      expect(db.prepare('SELECT count(*) AS n FROM pad').get()).toEqual({ n: 1000 });
    });
  });

  it('closes the worker with the store, leaving a consistent database', async () => {
    const path = tempDbPath();
    const store = new SqliteStore({ path, checkpointEveryMs: 50 });
    await store.open();
    store.database.exec('CREATE TABLE t (x INTEGER); INSERT INTO t VALUES (1), (2), (3)');
    await store.close();
    const reopened = new SqliteStore({ path });
    await reopened.open();
    try {
      expect(reopened.database.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 3 });
    } finally {
      await reopened.close();
    }
  });

  it('lets a process that has nothing else to do wait for close() to finish', () => {
    // The worker is unreferenced while it idles; if close() waited on it unreferenced, the
    // process would exit under the await and never print.
    const dist = new URL('../../dist/index.js', import.meta.url).href;
    const script = `import { createStore } from ${JSON.stringify(dist)};
      const store = await createStore(${JSON.stringify(`sqlite:${tempDbPath()}`)});
      await store.open();
      await store.close();
      console.log('closed');`;
    const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(output.trim()).toBe('closed');
  });
});

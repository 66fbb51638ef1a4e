/**
 * WAL checkpoints run on a worker thread (src/store/sqlite/checkpointer.ts), not inside
 * commits on the event loop: the WAL is copied back and reused while the store keeps writing.
 */
import { execFileSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { tempDbPath } from '../support/temp.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('SQLite WAL checkpoints', () => {
  it('are taken by the checkpoint worker, so the WAL is reused instead of growing', async () => {
    const path = tempDbPath();
    const store = new SqliteStore({ path, checkpointEveryMs: 50 });
    await store.open();
    try {
      const db = store.database;
      // The store's own connection never checkpoints: the worker does.
      expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
      db.exec('CREATE TABLE pad (b BLOB)');
      const insert = db.prepare('INSERT INTO pad (b) VALUES (randomblob(4096))');
      // ~8 MB per fill, under the 40 MB main-thread fallback threshold.
      const fill = db.transaction(() => {
        for (let i = 0; i < 2000; i++) insert.run();
      });
      fill();
      const afterFirst = statSync(`${path}-wal`).size;
      await sleep(400);
      fill();
      const afterSecond = statSync(`${path}-wal`).size;
      // Without a checkpoint in between, the second fill would append: about twice the size.
      expect(afterSecond).toBeLessThan(afterFirst * 1.5);
    } finally {
      await store.close();
    }
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

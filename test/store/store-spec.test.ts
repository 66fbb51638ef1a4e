/** `--store` values: which backend and options a spec names (src/store/open-store.ts). */
import { describe, expect, it } from 'vitest';
import { createStore, sqliteOptions } from '../../src/store/open-store.js';
import { SqliteStore } from '../../src/store/sqlite/store.js';
import { ThreadedSqliteStore } from '../../src/store/sqlite/thread.js';
import { tempDbPath } from '../support/temp.js';

describe('SQLite store specs', () => {
  it('reads the path, synchronous and thread', () => {
    expect(sqliteOptions('sqlite:./x.db')).toEqual({ path: './x.db', synchronous: 'normal' });
    expect(sqliteOptions('sqlite:./x.db?synchronous=full&thread=on')).toEqual({ path: './x.db', synchronous: 'full', thread: true });
    expect(sqliteOptions('./x.db?thread=off')).toEqual({ path: './x.db', synchronous: 'normal' });
  });

  it('refuses a bad value or an unknown option, naming it', () => {
    expect(() => sqliteOptions('sqlite:./x.db?thread=yes')).toThrow(/thread.*on or off/);
    expect(() => sqliteOptions('sqlite:./x.db?threads=on')).toThrow(/threads/);
  });

  it('opens the store on its own thread for thread=on, in process otherwise', async () => {
    const threaded = await createStore(`sqlite:${tempDbPath()}?thread=on`);
    const inProcess = await createStore(`sqlite:${tempDbPath()}`);
    expect(threaded).toBeInstanceOf(ThreadedSqliteStore);
    expect(inProcess).toBeInstanceOf(SqliteStore);
    await threaded.open();
    expect(await threaded.health()).toEqual({ ok: true, backend: 'sqlite' });
    await threaded.close();
  });
});

import { SqliteStore, type SqliteStoreOptions } from './store.js';

export type { SqliteStoreOptions } from './store.js';
export { SqliteStore } from './store.js';

/**
 * @example
 * const store = createSqliteStore({ path: './.chime/chime.db' });
 * await store.open();
 */
export function createSqliteStore(options: SqliteStoreOptions): SqliteStore {
  return new SqliteStore(options);
}

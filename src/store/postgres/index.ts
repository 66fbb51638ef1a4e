import type { PostgresStoreOptions } from './options.js';
import { PostgresStore } from './store.js';

export type { PostgresStoreOptions } from './options.js';
export { PostgresStore } from './store.js';

/**
 * A store on PostgreSQL, for several nodes sharing the work. Load it lazily
 * (`await import('./postgres/index.js')`) so SQLite users never load `pg`.
 *
 * @example
 * const store = createPostgresStore({ connectionString: 'postgres://chime@db:5432/chime', schema: 'chime' });
 * await store.open(); // creates the schema and applies pending migrations
 */
export function createPostgresStore(options: PostgresStoreOptions): PostgresStore {
  return new PostgresStore(options);
}

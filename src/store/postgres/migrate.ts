import type { PgDatabase } from './context.js';
import { readSqlMigrations } from '../sql-migrations.js';

/** This backend's migrations (migrations/NNN-name.sql), in version order. */
export const MIGRATIONS = readSqlMigrations(new URL('./migrations/', import.meta.url));

/**
 * Creates the schema if missing and applies pending migrations, all in one transaction that
 * holds a transaction-level advisory lock keyed by the schema name. Two nodes opening one
 * schema at once therefore apply each migration once: the second waits on the lock, then
 * re-reads the applied versions and finds nothing to do. A failure rolls everything back.
 */
export async function migrate(db: PgDatabase, now: number): Promise<number[]> {
  const { schema, qualifier, migrationLockKey } = db.options;
  return db.withClient(async (client) => {
    const applied: number[] = [];
    await client.query('BEGIN');
    // A migration may index a large table, or wait for another node's migration to finish.
    await client.query('SET LOCAL statement_timeout = 0');
    await client.query('SELECT pg_advisory_xact_lock($1::bigint)', [migrationLockKey]);
    // Checked first: CREATE SCHEMA IF NOT EXISTS still demands CREATE on the database, which
    // a deployment whose schema was made by an administrator may not grant.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${qualifier}`);
    await client.query(`SET LOCAL search_path TO ${qualifier}`);
    await client.query(`CREATE TABLE IF NOT EXISTS chime_migrations (
      version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
    const rows = await client.query<{ version: number }>('SELECT version FROM chime_migrations');
    const done = new Set(rows.rows.map((row) => row.version));
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      await client.query(migration.up);
      await client.query('INSERT INTO chime_migrations (version, name, applied_at) VALUES ($1, $2, $3)', [
        migration.version,
        migration.name,
        now,
      ]);
      applied.push(migration.version);
    }
    await client.query('COMMIT');
    return applied;
  });
}

import type Database from 'better-sqlite3';
import { readSqlMigrations } from '../sql-migrations.js';

/** This backend's migrations (migrations/NNN-name.sql), in version order. */
export const MIGRATIONS = readSqlMigrations(new URL('./migrations/', import.meta.url));

/**
 * Applies pending migrations. Each runs in a BEGIN IMMEDIATE transaction that first re-reads
 * the applied versions, so two processes opening one file at once apply each migration once:
 * the second waits on the write lock (busy_timeout) and then finds nothing to do.
 */
export function migrate(db: Database.Database, now: number): number[] {
  db.exec(`CREATE TABLE IF NOT EXISTS chime_migrations (
    version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)`);
  const applied: number[] = [];
  const apply = db.transaction(() => {
    const done = new Set(
      (db.prepare('SELECT version FROM chime_migrations').all() as { version: number }[]).map((r) => r.version),
    );
    for (const migration of MIGRATIONS) {
      if (done.has(migration.version)) continue;
      db.exec(migration.up);
      db.prepare('INSERT INTO chime_migrations (version, name, applied_at) VALUES (?, ?, ?)').run(
        migration.version,
        migration.name,
        now,
      );
      applied.push(migration.version);
    }
  });
  apply.immediate();
  return applied;
}

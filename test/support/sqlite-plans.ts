import type Database from 'better-sqlite3';

/** Every parameter of `sql` bound to NULL: plans and programs do not depend on the values. */
const nullParams = (sql: string): null[] => Array.from({ length: sql.split('?').length - 1 }, () => null);

/** The query plan's lines. */
export function planOf(db: Database.Database, sql: string): string[] {
  return db
    .prepare(`EXPLAIN QUERY PLAN ${sql}`)
    .all(...nullParams(sql))
    .map((row) => (row as { detail: string }).detail);
}

/** How many temporary b-trees one run of the statement opens (OpenEphemeral opcodes). */
export function ephemeralTables(db: Database.Database, sql: string): number {
  return db
    .prepare(`EXPLAIN ${sql}`)
    .all(...nullParams(sql))
    .filter((op) => (op as { opcode: string }).opcode === 'OpenEphemeral').length;
}

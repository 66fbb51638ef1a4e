/**
 * A `/api/v1` schedule's name is unique among v1 schedules, without a unique index (one could
 * not be built over the duplicates older versions let two nodes create). A create or rename
 * takes a transaction-scoped advisory lock on the name, then looks the name up in a later
 * statement: under READ COMMITTED that statement's snapshot sees what the lock's previous
 * holder committed, so two nodes creating one name at once are serialised and the second
 * finds the first.
 */
import { chimeError } from '../../core/errors.js';
import type { PgSession, Queryable } from './queryable.js';

/**
 * Locks the names until the transaction ends. In key order, so two transactions that lock
 * several never wait for each other in a cycle. The schema is part of the key: stores in
 * other schemas of the database do not contend.
 */
export async function lockV1Names(db: PgSession, tx: Queryable, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  await tx.query(
    `SELECT pg_advisory_xact_lock(hashtext($1), key)
     FROM (SELECT DISTINCT hashtext(name) AS key FROM unnest($2::text[]) AS name ORDER BY key) AS keys`,
    [`${db.s}.v1-schedule-name`, names],
  );
}

/** SCHEDULE_NAME_EXISTS when another v1 schedule has the name; call with the name locked. */
export async function assertV1NameFree(db: PgSession, tx: Queryable, name: string, scheduleId: string): Promise<void> {
  const [taken] = await tx.query(`SELECT 1 AS taken FROM ${db.s}.schedules WHERE dialect = 'v1' AND name = $1 AND id <> $2`, [
    name,
    scheduleId,
  ]);
  if (taken) throw chimeError('SCHEDULE_NAME_EXISTS', { name });
}

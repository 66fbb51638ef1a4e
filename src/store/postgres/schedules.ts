/**
 * Schedule reads and edits (creation is in create-schedules.ts).
 *
 * Edits (update, delete, and a create in place of an old schedule) lock the schedule row
 * first and then its waiting occurrences with NOWAIT: a claim holds the job row and then
 * waits for the schedule, so an edit that waited for the job while holding the schedule
 * would deadlock with it. A NOWAIT conflict rolls the edit back and the transaction runs
 * again a few milliseconds later (context.ts), after the claim committed.
 */
import type { ScheduleRecord } from '../../core/types.js';
import { editedSchedule, scheduleUpdateValues } from '../sql-rows.js';
import type { Written } from '../store-ops.js';
import type { NewJob, NewSchedule, Page, ScheduleQuery, ScheduleUpdate } from '../store.js';
import type { PgDatabase } from './context.js';
import { deleteWaitingJobs, insertFirst } from './schedule-jobs.js';
import { assertV1NameFree, lockV1Names } from './schedule-names.js';
import { scheduleColumns, scheduleFromRow, type ScheduleRow } from './rows.js';

export async function getSchedule(db: PgDatabase, id: string): Promise<ScheduleRecord | null> {
  const [row] = await db.query<ScheduleRow>(`SELECT ${scheduleColumns()} FROM ${db.s}.schedules WHERE id = $1`, [id]);
  return row ? scheduleFromRow(row) : null;
}

export async function getScheduleByName(db: PgDatabase, name: string): Promise<ScheduleRecord | null> {
  const [row] = await db.query<ScheduleRow>(
    `SELECT ${scheduleColumns()} FROM ${db.s}.schedules WHERE target = 'callback' AND name = $1`,
    [name],
  );
  return row ? scheduleFromRow(row) : null;
}

export async function listSchedules(db: PgDatabase, query: ScheduleQuery): Promise<Page<ScheduleRecord>> {
  const where: string[] = [];
  const params: unknown[] = [];
  const bind = (value: unknown): string => {
    params.push(value);
    return `$${params.length}`;
  };
  const dapr = query.dialects !== undefined && query.dialects.every((d) => d !== 'v1');
  if (query.dialects) where.push(`dialect = ANY(${bind(query.dialects)}::text[])`);
  if (dapr) where.push(`target = 'callback'`);
  if (query.namePrefix) {
    // A range on the name (COLLATE "C": code point order) keeps the prefix search on the name index.
    where.push(`name >= ${bind(query.namePrefix)} AND name < ${bind(`${query.namePrefix}\u{10FFFF}`)}`);
  }
  if (query.afterName !== undefined) where.push(`name > ${bind(query.afterName)}`);
  if (query.statuses && query.statuses.length > 0) where.push(`status = ANY(${bind(query.statuses)}::text[])`);
  if (query.tags && query.tags.length > 0) where.push(`(template -> 'tags')::jsonb @> ${bind(JSON.stringify(query.tags))}::jsonb`);
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = dapr ? 'ORDER BY name' : 'ORDER BY created_at DESC, id DESC';
  const filters = [...params];
  const page = `SELECT ${scheduleColumns()} FROM ${db.s}.schedules ${whereSql} ${order}
    LIMIT ${bind(query.limit)} OFFSET ${bind(query.offset ?? 0)}`;
  const [rows, counted] = await Promise.all([
    db.query<ScheduleRow>(page, params, { prepare: false }),
    query.countTotal
      ? db.query<{ n: number }>(`SELECT count(*) AS n FROM ${db.s}.schedules ${whereSql}`, filters, { prepare: false })
      : Promise.resolve(null),
  ]);
  return { items: rows.map(scheduleFromRow), total: counted ? (counted[0]?.n ?? 0) : null };
}

export async function updateSchedule(
  db: PgDatabase,
  id: string,
  update: ScheduleUpdate,
): Promise<Written<ScheduleRecord | null>> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<ScheduleRow>(`SELECT ${scheduleColumns()} FROM ${db.s}.schedules WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) return { value: null, signals: [] };
    const current = scheduleFromRow(row);
    const next = editedSchedule(current, update);
    if (next.dialect === 'v1' && next.name !== current.name) {
      await lockV1Names(db, tx, [next.name]);
      await assertV1NameFree(db, tx, next.name, id);
    }
    await deleteWaitingJobs(db, tx, id);
    const signals = await insertFirst(db, tx, update.nextOccurrence);
    await tx.query(
      `UPDATE ${db.s}.schedules SET name = $2, status = $3, recurrence = $4, start_at = $5, expires_at = $6, repeats = $7,
         missed_fire = $8, template = $9, next_run_at = $10, source = $11, updated_at = $12 WHERE id = $1`,
      [id, ...scheduleUpdateValues(next)],
    );
    return { value: next, signals };
  });
}

export async function deleteSchedule(db: PgDatabase, id: string): Promise<boolean> {
  return db.transaction(async (tx) => {
    const [row] = await tx.query<{ id: string }>(`SELECT id FROM ${db.s}.schedules WHERE id = $1 FOR UPDATE`, [id]);
    if (!row) return false;
    await deleteWaitingJobs(db, tx, id);
    await tx.query(`DELETE FROM ${db.s}.schedules WHERE id = $1`, [id]);
    return true;
  });
}

/** Creates go through the connection's batcher (create-schedules.ts): one transaction per turn. */
export function createSchedule(
  db: PgDatabase,
  schedule: NewSchedule,
  first: NewJob | null,
  mode: 'create' | 'replace',
): Promise<Written<ScheduleRecord>> {
  return db.creates.create({ schedule, first, mode });
}

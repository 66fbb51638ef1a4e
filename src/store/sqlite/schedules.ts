/** Schedule operations of the SQLite store. */
import { chimeError } from '../../core/errors.js';
import type { ScheduleRecord } from '../../core/types.js';
import { dueSignalsOf } from '../due-signals.js';
import { editedSchedule, scheduleUpdateValues } from '../sql-rows.js';
import type { Written } from '../store-ops.js';
import type { NewJob, NewSchedule, Page, ScheduleQuery, ScheduleUpdate } from '../store.js';
import type { SqliteContext } from './context.js';
import { BOUND_LIMIT } from './sql-spellings.js';
import { newScheduleRecord } from '../records.js';
import {
  INSERT_JOB_SQL,
  INSERT_SCHEDULE_SQL,
  jobInsertValues,
  scheduleFromRow,
  scheduleInsertValues,
  type ScheduleRow,
} from './rows.js';

const DELETE_WAITING_JOBS = `DELETE FROM jobs WHERE schedule_id = ? AND status IN ('pending', 'retrying')`;

/**
 * A `/api/v1` schedule's name is unique among v1 schedules. Checked inside the write
 * transaction, which is the file's only writer, so no other create can slip in between; not
 * a unique index, which could not be built over duplicates older versions let in.
 */
function assertV1NameFree(ctx: SqliteContext, schedule: Pick<ScheduleRecord, 'id' | 'name' | 'dialect'>): void {
  if (schedule.dialect !== 'v1') return;
  const taken = ctx.prepare(`SELECT 1 FROM schedules WHERE dialect = 'v1' AND name = ? AND id <> ?`).get(schedule.name, schedule.id);
  if (taken) throw chimeError('SCHEDULE_NAME_EXISTS', { name: schedule.name });
}

export function createSchedule(
  ctx: SqliteContext,
  schedule: NewSchedule,
  first: NewJob | null,
  mode: 'create' | 'replace',
): Promise<Written<ScheduleRecord>> {
  return ctx.groupWrite(() => {
    assertV1NameFree(ctx, schedule);
    if (schedule.template.target === 'callback') {
      const existing = ctx
        .prepare(`SELECT id, status FROM schedules WHERE target = 'callback' AND name = ?`)
        .get(schedule.name) as Pick<ScheduleRow, 'id' | 'status'> | undefined;
      if (existing) {
        const live = existing.status === 'active' || existing.status === 'paused';
        if (live && mode === 'create') {
          throw chimeError('JOB_NAME_EXISTS', { name: schedule.name });
        }
        ctx.prepare(DELETE_WAITING_JOBS).run(existing.id);
        ctx.prepare('DELETE FROM schedules WHERE id = ?').run(existing.id);
      }
    }
    ctx.prepare(INSERT_SCHEDULE_SQL).run(...scheduleInsertValues(schedule));
    if (first) ctx.prepare(INSERT_JOB_SQL).run(...jobInsertValues(first));
    const value = newScheduleRecord(schedule);
    return { value, signals: first ? ctx.publish(dueSignalsOf([first])) : [] };
  });
}

export function getSchedule(ctx: SqliteContext, id: string): ScheduleRecord | null {
  const row = ctx.read(() => ctx.rows('SELECT * FROM schedules WHERE id = ?').get(id)) as ScheduleRow | undefined;
  return row ? scheduleFromRow(row) : null;
}

export function getScheduleByName(ctx: SqliteContext, name: string): ScheduleRecord | null {
  const row = ctx.read(() =>
    ctx.rows(`SELECT * FROM schedules WHERE target = 'callback' AND name = ?`).get(name),
  ) as ScheduleRow | undefined;
  return row ? scheduleFromRow(row) : null;
}

export function listSchedules(ctx: SqliteContext, query: ScheduleQuery): Page<ScheduleRecord> {
  const where: string[] = [];
  const params: unknown[] = [];
  const dapr = query.dialects !== undefined && query.dialects.every((d) => d !== 'v1');
  if (query.dialects) {
    where.push(`dialect IN (${query.dialects.map(() => '?').join(', ')})`);
    params.push(...query.dialects);
  }
  if (dapr) where.push(`target = 'callback'`);
  if (query.namePrefix) {
    // A range on the name keeps the prefix search on the unique name index.
    where.push('name >= ? AND name < ?');
    params.push(query.namePrefix, `${query.namePrefix}\u{10FFFF}`);
  }
  if (query.afterName !== undefined) {
    where.push('name > ?');
    params.push(query.afterName);
  }
  if (query.statuses && query.statuses.length > 0) {
    where.push(`status IN (${query.statuses.map(() => '?').join(', ')})`);
    params.push(...query.statuses);
  }
  for (const tag of query.tags ?? []) {
    where.push(`EXISTS (SELECT 1 FROM json_each(json_extract(template, '$.tags')) WHERE value = ?)`);
    params.push(tag);
  }
  const whereSql = where.length > 0 ? `WHERE ${where.join(' AND ')}` : '';
  const order = dapr ? 'ORDER BY name' : 'ORDER BY created_at DESC, id DESC';
  return ctx.read(() => {
    const rows = ctx
      .rows(`SELECT * FROM schedules ${whereSql} ${order} LIMIT ${BOUND_LIMIT} OFFSET ?`)
      .all(...params, query.limit, query.offset ?? 0) as ScheduleRow[];
    const total = query.countTotal
      ? (ctx.prepare(`SELECT COUNT(*) AS n FROM schedules ${whereSql}`).get(...params) as { n: number }).n
      : null;
    return { items: rows.map(scheduleFromRow), total };
  });
}

export function updateSchedule(ctx: SqliteContext, id: string, update: ScheduleUpdate): Promise<Written<ScheduleRecord | null>> {
  return ctx.groupWrite(() => {
    const row = ctx.prepare('SELECT * FROM schedules WHERE id = ?').get(id) as ScheduleRow | undefined;
    if (!row) return { value: null, signals: [] };
    const current = scheduleFromRow(row);
    const next = editedSchedule(current, update);
    if (next.name !== current.name) assertV1NameFree(ctx, next);
    ctx.prepare(DELETE_WAITING_JOBS).run(id);
    if (update.nextOccurrence) ctx.prepare(INSERT_JOB_SQL).run(...jobInsertValues(update.nextOccurrence));
    ctx
      .prepare(
        `UPDATE schedules SET name = ?, status = ?, recurrence = ?, start_at = ?, expires_at = ?, repeats = ?,
         missed_fire = ?, template = ?, next_run_at = ?, source = ?, updated_at = ? WHERE id = ?`,
      )
      .run(...scheduleUpdateValues(next), id);
    return { value: next, signals: update.nextOccurrence ? ctx.publish(dueSignalsOf([update.nextOccurrence])) : [] };
  });
}

export function deleteSchedule(ctx: SqliteContext, id: string): Promise<boolean> {
  return ctx.groupWrite(() => {
    ctx.prepare(DELETE_WAITING_JOBS).run(id);
    return ctx.prepare('DELETE FROM schedules WHERE id = ?').run(id).changes > 0;
  });
}

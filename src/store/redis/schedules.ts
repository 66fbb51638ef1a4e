/** Schedule operations of the Redis store. */
import type { ScheduleRecord } from '../../core/types.js';
import type { NewJob, NewSchedule, Page, ScheduleQuery, ScheduleUpdate } from '../store.js';
import type { Written } from '../store-ops.js';
import { jobFields, newScheduleFields, optional, scheduleFields, scheduleFromHash, signalsFromFlat, storedDialects, toHash } from './rows.js';
import type { RedisContext } from './context.js';
import { newScheduleRecord } from '../records.js';

function withCount(list: readonly string[]): (string | number)[] {
  return [list.length, ...list];
}

export async function createSchedule(
  ctx: RedisContext,
  schedule: NewSchedule,
  first: NewJob | null,
  mode: 'create' | 'replace',
): Promise<Written<ScheduleRecord>> {
  const signals = await ctx.script<string[]>('chimeCreateSchedule', [
    mode,
    ...withCount(newScheduleFields(schedule)),
    ...withCount(first ? jobFields(first) : []),
  ]);
  return { value: newScheduleRecord(schedule), signals: signalsFromFlat(signals) };
}

export async function getSchedule(ctx: RedisContext, id: string): Promise<ScheduleRecord | null> {
  const hash = await ctx.call((redis) => redis.hgetall(ctx.keys.schedule(id)));
  return hash.id === undefined ? null : scheduleFromHash(hash);
}

export async function getScheduleByName(ctx: RedisContext, name: string): Promise<ScheduleRecord | null> {
  const flat = await ctx.script<string[] | null>('chimeGetScheduleByName', [name]);
  return flat ? scheduleFromHash(toHash(flat)) : null;
}

/** UTF-8 byte order, which is how Redis (and SQLite's BINARY collation) compare names. */
function byteCompare(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

/**
 * The lex range of a Dapr listing: names starting with the prefix, strictly after the
 * cursor. U+10FFFF (bytes F4 8F BF BF) sorts after every character a name can hold.
 */
function nameRange(prefix: string, after: string | undefined): { min: string; max: string } {
  const max = prefix === '' ? '+' : `(${prefix}\u{10FFFF}`;
  if (after !== undefined && byteCompare(after, prefix) >= 0) return { min: `(${after}`, max };
  return { min: prefix === '' ? '-' : `[${prefix}`, max };
}

export async function listSchedules(ctx: RedisContext, query: ScheduleQuery): Promise<Page<ScheduleRecord>> {
  const dapr = query.dialects !== undefined && query.dialects.every((d) => d !== 'v1');
  const encoded = {
    dapr,
    ...(dapr ? nameRange(query.namePrefix ?? '', query.afterName) : {}),
    dialects: storedDialects(query.dialects),
    statuses: query.statuses && query.statuses.length > 0 ? query.statuses : undefined,
    tags: query.tags,
    namePrefix: query.namePrefix || undefined,
    afterName: query.afterName,
    limit: query.limit,
    offset: query.offset ?? 0,
    countTotal: query.countTotal === true,
  };
  const [total, rows] = await ctx.script<[number, string[][]]>('chimeListSchedules', [JSON.stringify(encoded)]);
  return { items: rows.map((flat) => scheduleFromHash(toHash(flat))), total: total < 0 ? null : total };
}

export async function updateSchedule(ctx: RedisContext, id: string, update: ScheduleUpdate): Promise<Written<ScheduleRecord | null>> {
  const { set, unset } = scheduleFields(update.patch ?? {});
  const reply = await ctx.script<[string[], string[]] | null>('chimeUpdateSchedule', [
    id,
    update.updatedAt,
    optional(update.status),
    ...withCount(set),
    ...withCount(unset),
    ...withCount(update.nextOccurrence ? jobFields(update.nextOccurrence) : []),
  ]);
  if (!reply) return { value: null, signals: [] };
  return { value: scheduleFromHash(toHash(reply[0])), signals: signalsFromFlat(reply[1]) };
}

export async function deleteSchedule(ctx: RedisContext, id: string): Promise<boolean> {
  return (await ctx.script<number>('chimeDeleteSchedule', [id])) === 1;
}

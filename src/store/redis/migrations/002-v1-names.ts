/**
 * Layout 2: the `v1-names` index (keys.ts, lua/prelude/schedule-names.lua), one member
 * "name NUL id" per existing `/api/v1` schedule, so that creates and renames can keep those
 * names unique. Duplicates that older versions let two nodes create are indexed as they are.
 * Walks `schedules` (zset-walk.ts); ZADD of one schedule twice is harmless.
 */
import { zsetWalkMigration } from './zset-walk.js';

export const lua = zsetWalkMigration({
  name: 'v1-names',
  zset: 'schedules',
  each: `
  local s = redis.call('HMGET', P .. ':schedule:' .. seg(member), 'name', 'dialect')
  if s[2] == 'v1' then redis.call('ZADD', P .. ':v1-names', 0, s[1] .. '\\0' .. member) end`,
});

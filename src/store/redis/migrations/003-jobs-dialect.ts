/**
 * Layout 3: the `idx:dialect:{dialect}` job indexes (keys.ts), one member per existing job
 * scored by its created_at, so that listJobs filters on dialect as it does on target (the
 * `/api/v1` jobs list: its HTTP-target jobs run on the callback lane beside the Dapr jobs).
 * A job still holding the old `seed` dialect is indexed as `envelope`, as it reads (rows.ts
 * dialectOf) and as lua/prelude/insert-job.lua would index it.
 *
 * Walks `jobs` (zset-walk.ts), whose scores are the created_at the index needs; ZADD of one
 * job twice is harmless.
 */
import { zsetWalkMigration } from './zset-walk.js';

export const lua = zsetWalkMigration({
  name: 'jobs-dialect',
  zset: 'jobs',
  each: `
  local dialect = redis.call('HGET', P .. ':job:' .. seg(member), 'dialect')
  if dialect == 'seed' then dialect = 'envelope' end
  -- A stray id whose hash is gone has nothing to index (and ZADD of nil would fail every open).
  if dialect then redis.call('ZADD', P .. ':idx:dialect:' .. dialect, score, member) end`,
});

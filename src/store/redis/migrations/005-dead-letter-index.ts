/**
 * Layout 5: `dead-letters` (keys.ts), the callback jobs that failed or timed out, by
 * completed_at: the dead-letter list's order. The list (`GET /v1.0/dead-letters`, the
 * dashboard) scanned every failed and timed-out job, read each one's hash and sorted them in
 * one script, and every metrics scrape walked every failed job: with 100,000 dead letters the
 * list's first page held Redis 620-930 ms (docs/benchmarks.md, "Redis: the dead letters
 * indexed"). Only a job that ends dead-lettered pays the entry, as on SQLite and PostgreSQL.
 *
 * Walks `finished` (zset-walk.ts), whose scores are the completed_at the index needs; ZADD of
 * one job twice is harmless, and a job that leaves dead letters during the walk (a retry) is
 * removed by the script that moves it, whichever side of the cursor it is on.
 */
import { zsetWalkMigration } from './zset-walk.js';

export const lua = zsetWalkMigration({
  name: 'dead-letters',
  zset: 'finished',
  each: `
  local v = redis.call('HMGET', P .. ':job:' .. seg(member), 'target', 'status')
  if v[1] == 'callback' and (v[2] == 'failed' or v[2] == 'timeout') then
    redis.call('ZADD', P .. ':dead-letters', score, member)
  end`,
});

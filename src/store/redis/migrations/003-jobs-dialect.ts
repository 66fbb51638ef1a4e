/**
 * Layout 3: the `idx:dialect:{dialect}` job indexes (keys.ts), one member per existing job
 * scored by its created_at, so that listJobs filters on dialect as it does on target (the
 * `/api/v1` jobs list: its HTTP-target jobs run on the callback lane beside the Dapr jobs).
 * A job still holding the old `seed` dialect is indexed as `envelope`, as it reads (rows.ts
 * dialectOf) and as lua/prelude/insert-job.lua would index it.
 *
 * Walks `jobs` with ZSCAN, 1,000 a call (its scores are the created_at the index needs), the
 * cursor kept in `migrate:jobs-dialect` so that the calls of two nodes opening at once share
 * one walk (ZSCAN returns every job that exists throughout the walk; ZADD of one twice is
 * harmless). Returns this version once done, the current one until then.
 *
 * KEYS[1]: the layout key. ARGV[1]: this migration's version; ARGV[2]: the prefix.
 */
export const lua = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
local P = ARGV[2]
local cursor_key = P .. ':migrate:jobs-dialect'
local function seg(s) return (string.gsub(s, '[%%:]', { ['%'] = '%25', [':'] = '%3A' })) end
local scan = redis.call('ZSCAN', P .. ':jobs', redis.call('GET', cursor_key) or '0', 'COUNT', 1000)
local items = scan[2]
for i = 1, #items, 2 do
  local id, created_at = items[i], items[i + 1]
  local dialect = redis.call('HGET', P .. ':job:' .. seg(id), 'dialect')
  if dialect == 'seed' then dialect = 'envelope' end
  -- A stray id whose hash is gone has nothing to index (and ZADD of nil would fail every open).
  if dialect then redis.call('ZADD', P .. ':idx:dialect:' .. dialect, created_at, id) end
end
if scan[1] ~= '0' then
  redis.call('SET', cursor_key, scan[1])
  return current
end
redis.call('DEL', cursor_key)
redis.call('SET', KEYS[1], ARGV[1])
return version
`;

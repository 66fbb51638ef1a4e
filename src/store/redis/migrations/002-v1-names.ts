/**
 * Layout 2: the `v1-names` index (keys.ts, lua/prelude/schedule-names.lua), one member
 * "name NUL id" per existing `/api/v1` schedule, so that creates and renames can keep those
 * names unique. Duplicates that older versions let two nodes create are indexed as they are.
 *
 * Walks `schedules` with ZSCAN, 1,000 a call, the cursor kept in `migrate:v1-names` so that
 * the calls of two nodes opening at once share one walk (ZSCAN returns every schedule that
 * exists throughout the walk; ZADD of one twice is harmless). Returns this version once done,
 * the current one until then.
 *
 * KEYS[1]: the layout key. ARGV[1]: this migration's version; ARGV[2]: the prefix.
 */
export const lua = `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
local P = ARGV[2]
local cursor_key = P .. ':migrate:v1-names'
local function seg(s) return (string.gsub(s, '[%%:]', { ['%'] = '%25', [':'] = '%3A' })) end
local scan = redis.call('ZSCAN', P .. ':schedules', redis.call('GET', cursor_key) or '0', 'COUNT', 1000)
local items = scan[2]
for i = 1, #items, 2 do
  local sid = items[i]
  local s = redis.call('HMGET', P .. ':schedule:' .. seg(sid), 'name', 'dialect')
  if s[2] == 'v1' then redis.call('ZADD', P .. ':v1-names', 0, s[1] .. '\\0' .. sid) end
end
if scan[1] ~= '0' then
  redis.call('SET', cursor_key, scan[1])
  return current
end
redis.call('DEL', cursor_key)
redis.call('SET', KEYS[1], ARGV[1])
return version
`;

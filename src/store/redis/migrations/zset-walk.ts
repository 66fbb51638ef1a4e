/**
 * The Lua of a layout migration that walks one zset of the store with ZSCAN, 1,000 members a
 * call, and runs `each` for every member (`member`, its `score`, the prefix `P` and the key
 * segment encoder `seg` are in scope). The cursor is kept in `migrate:{name}`, so the calls of
 * two nodes opening at once share one walk: ZSCAN returns every member that exists throughout
 * the walk, and `each` must be harmless when run twice for one member. Returns the migration's
 * version once the walk is done, the current layout until then.
 *
 * KEYS[1]: the layout key. ARGV[1]: the migration's version; ARGV[2]: the prefix.
 */
export function zsetWalkMigration(walk: { name: string; zset: string; each: string }): string {
  return `
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
local version = tonumber(ARGV[1])
if current >= version then return current end
local P = ARGV[2]
local cursor_key = P .. ':migrate:${walk.name}'
local function seg(s) return (string.gsub(s, '[%%:]', { ['%'] = '%25', [':'] = '%3A' })) end
local scan = redis.call('ZSCAN', P .. ':${walk.zset}', redis.call('GET', cursor_key) or '0', 'COUNT', 1000)
local items = scan[2]
for i = 1, #items, 2 do
  local member, score = items[i], items[i + 1]
${walk.each}
end
if scan[1] ~= '0' then
  redis.call('SET', cursor_key, scan[1])
  return current
end
redis.call('DEL', cursor_key)
redis.call('SET', KEYS[1], ARGV[1])
return version
`;
}

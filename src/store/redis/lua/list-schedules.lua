--[[
  listSchedules (read only).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads names, names:lex, schedules.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: JSON query: dapr (callback schedules
  by name, with lex bounds min/max covering the name prefix and keyset cursor), dialects,
  statuses, tags, namePrefix, afterName, limit, offset, countTotal.

  Dapr listings walk names:lex from the cursor; the others walk schedules newest first
  (created_at DESC, id DESC). Filters are checked per schedule: O(offset + limit) walked
  when they match, O(all in range) with countTotal or sparse matches.
  Returns { total or -1, { schedule HGETALL, ... } }.
]]
--- @include "prelude/tables"

local q = cjson.decode(ARGV[4])
local function set_of(list)
  if not list then return nil end
  local t = {}
  for _, v in ipairs(list) do t[v] = true end
  return t
end
local dialects, statuses = set_of(q.dialects), set_of(q.statuses)
local tags = (q.tags and #q.tags > 0) and q.tags or nil
local function matches(h)
  if dialects and not dialects[h.dialect] then return false end
  if statuses and not statuses[h.status] then return false end
  if tags then
    local have = {}
    for _, t in ipairs(cjson.decode(h.tags or '[]')) do have[t] = true end
    for _, t in ipairs(tags) do if not have[t] then return false end end
  end
  if not q.dapr then
    if q.namePrefix and string.sub(h.name, 1, #q.namePrefix) ~= q.namePrefix then return false end
    if q.afterName and not bytes_less(q.afterName, h.name) then return false end
  end
  return true
end
local offset = q.offset or 0
local want = offset + q.limit
local out, total = {}, 0
-- Returns true when the walk can stop.
local function visit(flat)
  if #flat == 0 or not matches(to_map(flat)) then return false end
  total = total + 1
  if total > offset and total <= want then out[#out + 1] = flat end
  return total >= want and not q.countTotal
end
local start, done = 0, false
while not done do
  local batch
  if q.dapr then
    batch = redis.call('ZRANGEBYLEX', K['names:lex'], q.min, q.max, 'LIMIT', start, 500)
  else
    batch = redis.call('ZREVRANGE', K['schedules'], start, start + 499)
  end
  for _, item in ipairs(batch) do
    local sid = item
    if q.dapr then sid = redis.call('HGET', K['names'], item) end
    if sid and visit(redis.call('HGETALL', schedule_key(sid))) then done = true; break end
  end
  if #batch < 500 then done = true end
  start = start + 500
end
return { q.countTotal and total or -1, out }

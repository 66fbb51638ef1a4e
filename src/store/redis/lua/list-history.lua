--[[
  listHistory (read only): entries newest first, by job, by schedule or all, paged by id.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads history, history:all.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: job id or ''; ARGV[5]: schedule id or
  ''; ARGV[6]: ids strictly below this, or '+inf'; ARGV[7]: limit.
  O(log n + limit) by schedule or all; by job, O(the job's attempts), read from the job's
  `history_ids` field (prelude/history.lua add_history). Returns { id, entry JSON, ... }.
]]

local job_id, schedule_id, before, limit = ARGV[4], ARGV[5], ARGV[6], tonumber(ARGV[7])
local below = before == '+inf' and math.huge or tonumber(before)
local out = {}
local function add(hid)
  local entry = redis.call('HGET', K['history'], hid)
  if entry and (job_id == '' or schedule_id == '' or cjson.decode(entry)[1].scheduleId == schedule_id) then
    out[#out + 1] = hid
    out[#out + 1] = entry
  end
end
if job_id ~= '' then
  local ids = redis.call('HGET', job_key(job_id), 'history_ids') or redis.call('GET', job_history_key(job_id)) or ''
  local list = {}
  for hid in string.gmatch(ids, '[^,]+') do
    if tonumber(hid) < below then list[#list + 1] = hid end
  end
  for k = #list, 1, -1 do
    if #out >= limit * 2 then break end
    add(list[k])
  end
else
  local key = schedule_id ~= '' and schedule_history_key(schedule_id) or K['history:all']
  local max = before == '+inf' and '+inf' or '(' .. before
  for _, hid in ipairs(redis.call('ZREVRANGEBYSCORE', key, max, '-inf', 'LIMIT', 0, limit)) do add(hid) end
end
return out

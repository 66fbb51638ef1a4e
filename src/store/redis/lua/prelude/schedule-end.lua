--[[
  Ending a schedule after its last occurrence (mirrors src/store/schedule-end.ts).
]]

local function set_schedule_status(sid, status, now)
  redis.call('HSET', schedule_key(sid), 'status', status, 'updated_at', now)
  if status == 'completed' or status == 'expired' or status == 'failed' then
    redis.call('ZADD', K['schedules:finished'], now, sid)
  else
    redis.call('ZREM', K['schedules:finished'], sid)
  end
end

-- When a schedule's last occurrence ends, the schedule ends with it. Mirrors
-- finishedScheduleStatus (src/store/schedule-end.ts).
local function finish_schedule_if_done(sid, last_status, now)
  local s = redis.call('HMGET', schedule_key(sid), 'status', 'next_run_at', 'recurrence', 'repeats', 'fire_count', 'expires_at')
  if s[1] ~= 'active' or s[2] then return end
  if redis.call('SCARD', open_key(sid)) > 0 then return end
  local status = 'completed'
  if last_status == 'failed' or last_status == 'timeout' then
    status = 'failed'
  else
    local repeats_left = (not s[4]) or tonumber(s[5]) < tonumber(s[4])
    if cjson.decode(s[3]).kind ~= 'once' and s[6] and repeats_left then status = 'expired' end
  end
  set_schedule_status(sid, status, now)
end

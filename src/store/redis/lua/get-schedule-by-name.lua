--[[
  getScheduleByName (read only): name → id → schedule in one consistent read, so a
  concurrent replace never yields a half-swapped answer.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads names.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: name. Returns the HGETALL or false.
]]

local sid = redis.call('HGET', K['names'], ARGV[4])
if not sid then return false end
local h = redis.call('HGETALL', schedule_key(sid))
if #h == 0 then return false end
return h

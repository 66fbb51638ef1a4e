--[[
  extendLeases: pushes lease expiry out for the jobs `owner` still holds.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: new lease_until;
  ARGV[6...]: job ids. Returns the ids still held.
]]
--- @include "prelude/base"
--- @include "prelude/writes"
--- @include "prelude/signals"

local owner, until_ = ARGV[4], ARGV[5]
local held = {}
for i = 6, #ARGV do
  local id = ARGV[i]
  local v = redis.call('HMGET', job_key(id), 'status', 'lease_owner')
  if LEASED[v[1]] and v[2] == owner then
    redis.call('HSET', job_key(id), 'lease_until', until_)
    zadd(K['leased'], until_, id)
    held[#held + 1] = id
  end
end
finish()
return held

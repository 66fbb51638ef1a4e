--[[
  startJobs: reserved (prefetched) jobs `owner` holds start running at `now`.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased (the job moves within it).
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: now; ARGV[6...]: job ids.
]]
--- @include "prelude/jobs"
--- @include "prelude/signals"

local owner, now = ARGV[4], ARGV[5]
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = load_job(id)
  if j and j.status == 'reserved' and j.lease_owner == owner then
    transition(id, j, 'running', { started_at = now })
  end
end
finish()
return 0

--[[
  releaseLeases: hands jobs `owner` holds back unrun (graceful shutdown); they wait again
  at `now` and the attempt is not counted.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: owner; ARGV[5]: now; ARGV[6...]: job ids.
  Returns the due signals.
]]
--- @include "prelude/base"
--- @include "prelude/jobs"
--- @include "prelude/signals"

local owner, now = ARGV[4], ARGV[5]
for i = 6, #ARGV do
  local id = ARGV[i]
  local j = load_job(id)
  if j and LEASED[j.status] and j.lease_owner == owner then
    transition(id, j, 'pending', { run_at = now, attempts = fmt(math.max(tonumber(j.attempts) - 1, 0)),
      lease_owner = false, lease_until = false })
    signal(j.target, j.queue, now)
  end
end
return finish()

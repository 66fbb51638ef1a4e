--[[
  clearQueue: deletes the queue's waiting (pending, retrying) jobs, except schedules' next
  occurrences (deleting one would stop its schedule; pause the schedule for that).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes jobs.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: queue name. Returns how many went.
  O(waiting jobs of the queue) in one step; a queue of a million waiting jobs blocks Redis
  for about a second while it clears.
]]
--- @include "prelude/signals"
--- @include "prelude/delete-job"

local q = ARGV[4]
local cleared = 0
for _, task in ipairs(redis.call('SMEMBERS', queue_tasks_key(q))) do
  for prio = 0, 3 do
    for _, id in ipairs(redis.call('ZRANGE', waiting_key(q, task, prio), 0, -1)) do
      if not redis.call('HGET', job_key(id), 'schedule_id') and delete_job(id, false) then cleared = cleared + 1 end
    end
  end
end
finish()
return cleared

--[[
  deleteSchedule: the schedule and its waiting occurrences; running ones finish.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes names, names:lex, v1-names, schedules,
  schedules:finished and the deleted jobs' keys.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: schedule id.

  Returns 1, or 0 when the schedule is missing. A pending advance marker of the schedule
  is dropped by whoever meets it next (advance-schedules.lua, the claim's sweep).
]]
--- @include "prelude/signals"
--- @include "prelude/schedule-jobs"

local sid = ARGV[4]
if redis.call('EXISTS', schedule_key(sid)) == 0 then return 0 end
delete_waiting_jobs(sid)
delete_schedule(sid)
finish()
return 1

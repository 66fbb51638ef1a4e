--[[
  cancelJob: a waiting job is cancelled at once; a reserved/running one is flagged
  `cancel_requested` (its runner aborts it and reports `cancelled`).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes finished, advance, schedules:finished.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: job id; ARGV[5]: the error JSON to
  record; ARGV[6]: now; ARGV[7]: deadline of the advance marker.

  Cancelling a waiting occurrence of an active schedule must still move the schedule past
  it, with `planNext` in JavaScript: like a claim (claim-due.lua), this writes an advance
  marker (force '0': not a firing) and returns the schedule to plan from; JavaScript then
  runs advance-schedules.lua. Fails with INVALID_STATE for a finished job, before writing.
  Returns false when the job is missing, else { job HGETALL, marker or '', schedule HGETALL }.
]]
--- @include "prelude/base"
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/schedule-end"
--- @include "prelude/markers"

local id, err, now, deadline = ARGV[4], ARGV[5], ARGV[6], ARGV[7]
local j = load_job(id)
if not j then return false end
local jk = job_key(id)
local marker, schedule = '', {}
if WAITING[j.status] then
  transition(id, j, 'cancelled', { completed_at = now, error = err })
  local sid = j.schedule_id
  if sid then
    local s = redis.call('HMGET', schedule_key(sid), 'status', 'last_occurrence', 'rev')
    if s[1] == 'active' and (not s[2] or tonumber(j.occurrence) > tonumber(s[2])) then
      marker = mark_advance(sid, j.occurrence, j.queue, j.task_name or '', deadline, s[3], '0')
      schedule = redis.call('HGETALL', schedule_key(sid))
    else
      finish_schedule_if_done(sid, 'cancelled', now)
    end
  end
elseif LEASED[j.status] then
  redis.call('HSET', jk, 'cancel_requested', '1')
else
  fail('JOB_NOT_CANCELLABLE', { id = id, status = j.status })
end
finish()
return { redis.call('HGETALL', jk), marker, schedule }

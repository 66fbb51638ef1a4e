--[[
  retryJob: a failed, timed-out or cancelled job waits again at `now` with a fresh attempt
  budget; a dead-lettered last occurrence had ended its schedule, so the schedule revives.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes finished, schedules:finished.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: job id; ARGV[5]: now.

  Fails with INVALID_STATE for any other status. Returns false when the job is missing,
  else { job HGETALL, due signals }.
]]
--- @include "prelude/base"
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/schedule-end"

local id, now = ARGV[4], ARGV[5]
local j = load_job(id)
if not j then return false end
if j.status ~= 'failed' and j.status ~= 'timeout' and j.status ~= 'cancelled' then
  fail('JOB_NOT_RETRYABLE', { id = id, status = j.status })
end
transition(id, j, 'pending', { attempts = '0', run_at = now, completed_at = false, result = false, error = false,
  cancel_requested = false, lease_owner = false, lease_until = false })
if j.schedule_id and redis.call('HGET', schedule_key(j.schedule_id), 'status') == 'failed' then
  set_schedule_status(j.schedule_id, 'active', now)
end
signal(j.target, j.queue, now)
local signals = finish()
return { redis.call('HGETALL', job_key(id)), signals }

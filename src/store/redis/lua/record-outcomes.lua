--[[
  recordOutcomes: a batch of finished attempts in one step.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased, finished, history,
  history:all, seq:history, schedules:finished.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: number of outcomes; then 9 slots each: job id, owner, status, retry at ('' for
  none), finished at, result (rows.ts optional()), error JSON (optional()), the history
  entry's attempt JSON (rows.ts attemptJson; '' writes no entry), started at ('' for none:
  set only when the job has no started_at yet).

  Fenced by the lease: an outcome whose job is not reserved/running under `owner` (the
  lease ran out and someone else holds it, or it was reaped) is ignored. A retrying job
  waits again at its retry time; a final one ends its schedule if it was the last
  occurrence (finish_schedule_if_done). Returns the due signals of the retries and of the
  queues with a concurrency limit that a finished job left a place in.
]]
--- @include "prelude/base"
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/history"
--- @include "prelude/schedule-end"

-- What an outcome without a history entry reads (a task's success): the fence, where the
-- job is indexed (transition) and its schedule. With an entry, the whole of JOB_FIELDS.
local OUTCOME_FIELDS = { 'status', 'lease_owner', 'started_at', 'queue', 'task_name', 'priority', 'run_at',
  'lease_until', 'completed_at', 'created_at', 'schedule_id', 'target' }
-- Whether each queue has a concurrency limit, read once per script.
local limited = {}

local count = tonumber(ARGV[4])
reserve_history_ids(count)
for n = 0, count - 1 do
  local b = 5 + n * 9
  local id, owner, status, retry_at, finished_at = ARGV[b], ARGV[b + 1], ARGV[b + 2], ARGV[b + 3], ARGV[b + 4]
  local j = load_job(id, ARGV[b + 7] == '' and OUTCOME_FIELDS or nil)
  if j and LEASED[j.status] and j.lease_owner == owner then
    local set = { lease_owner = false, lease_until = false, result = opt(ARGV[b + 5]) or false,
      error = opt(ARGV[b + 6]) or false }
    if ARGV[b + 7] ~= '' then set.history_ids = add_history(id, j, ARGV[b + 7]) end
    if ARGV[b + 8] ~= '' and not j.started_at then set.started_at = ARGV[b + 8] end
    if status == 'retrying' then
      set.run_at = retry_at ~= '' and retry_at or finished_at
      set.completed_at = false
    else
      set.completed_at = finished_at
    end
    transition(id, j, status, set)
    if status == 'retrying' then
      signal(j.target, j.queue, j.run_at)
    elseif j.schedule_id then
      finish_schedule_if_done(j.schedule_id, status, finished_at)
    end
    -- A place freed in a queue with a concurrency limit: its other due jobs may be claimed
    -- now (by any node), and nothing else would wake a claim before the next poll.
    if limited[j.queue] == nil then limited[j.queue] = redis.call('HEXISTS', queue_key(j.queue), 'concurrency') == 1 end
    if limited[j.queue] then signal(j.target, j.queue, finished_at) end
  end
end
return finish()

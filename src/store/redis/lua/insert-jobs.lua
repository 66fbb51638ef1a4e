--[[
  insertJobs: all or none.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes jobs, queues.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: number of jobs; then per job its field list (a count, then field/value pairs).

  Returns the due signals (target, queue, runAt, ...). Fails with `JOB_EXISTS` before any
  write when an id (or a schedule's occurrence) is taken, also within the batch.
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/signals"
--- @include "prelude/insert-job"

local count = tonumber(ARGV[4])
local jobs, i = {}, 5
local ids, occurrences = {}, {}
for n = 1, count do
  local list
  list, i = read_pairs(i)
  local f = to_map(list)
  local conflict, params = insert_conflict(f, nil)
  if not conflict and ids[f.id] then conflict, params = 'JOB_ID_TWICE', { id = f.id } end
  if not conflict and f.schedule_id then
    local occ = f.schedule_id .. '|' .. f.occurrence
    if occurrences[occ] then conflict, params = 'OCCURRENCE_TWICE', { scheduleId = f.schedule_id, occurrence = f.occurrence } end
    occurrences[occ] = true
  end
  if conflict then fail(conflict, params) end
  ids[f.id] = true
  jobs[n] = list
end
for n = 1, count do insert_job(jobs[n]) end
return finish()

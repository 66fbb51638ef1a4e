--[[
  deleteFinishedJob: removes one finished job (completed, failed, timeout, cancelled) and its
  history, as retention does, but now and by id (the dashboard's "delete dead letter").

  KEYS: the global keys (keys.ts GLOBAL_KEYS). ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: job id. Returns 1 when deleted, 0 when missing or not finished.
]]
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/delete-job"

local id = ARGV[4]
local j = load_job(id)
if not j then return 0 end
if j.status ~= 'completed' and j.status ~= 'failed' and j.status ~= 'timeout' and j.status ~= 'cancelled' then return 0 end
delete_job(id, true)
finish()
return 1

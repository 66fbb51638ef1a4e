--[[
  A claim whose reply was lost (the connection dropped while claim-due.lua ran): the jobs it
  leased that are still leased by it, in claim-due.lua's reply shape, so claimDue completes
  step 2 for them and hands them to the claiming node, which would otherwise hold nothing
  and leave them leased to itself until the lease runs out (issue 9: 15-20 s after a
  connection cut, where the other stores take a second).

  Reads only, so it is safe to run again when its own reply is lost. A job counts as still
  this claim's when its owner and lease end are the claim's and it is reserved or running:
  a job reaped and claimed again since has another lease end. A lease that already ran out
  is left to the reaper, which may be taking it back on another node right now. Markers go
  back to step 2 as they are: advancing a schedule is idempotent per marker (claim-due.lua).

  ARGV[4]: the claim's record key (claim-due.lua ARGV[14]); ARGV[5]: caller's now.
  Returns { jobs, schedules, swept, '', caller's now } as claim-due.lua; nothing for a claim
  that never ran (or took nothing).
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/jobs"
--- @include "prelude/markers"

local now = ARGV[5]
local raw = redis.call('GET', ARGV[4])
if not raw then return cmsgpack.pack({ {}, {}, {}, '', now }) end
local record = cjson.decode(raw)
if tonumber(record.lease_until) <= tonumber(now) then return cmsgpack.pack({ {}, {}, {}, '', now }) end

local jobs = {}
local schedules = CLAIMED_SCHEDULES
for _, taken in ipairs(record.jobs) do
  local id, marker = taken[1], taken[2]
  local j = load_full_job(id)
  if j and LEASED[j.status] and j.lease_owner == record.owner and j.lease_until == record.lease_until then
    if marker ~= '' then plan_from(split_marker(marker)) end
    jobs[#jobs + 1] = { marker, to_flat(j) }
  end
end
for _, m in ipairs(record.swept) do plan_from(split_marker(m)) end
return cmsgpack.pack({ jobs, schedules, record.swept, '', now })

--[[
  claimDue (and cancelJob), step 2 of 2: move schedules past fired occurrences, as planned
  in JavaScript by `planNext`. The design and why it loses and repeats nothing: claim-due.lua.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes advance, schedules:finished and the
  next occurrences' job keys.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: now (last_run_at, updated_at); ARGV[5]: number of markers; then per marker:
  the marker ("schedule|occurrence"), '1'/'0' (the plan's deliver), the next occurrence's
  job field list (count 0: the schedule is done).

  Per marker, idempotent:
  - marker gone, schedule gone, or the schedule already past the occurrence: nothing
    changes ('done');
  - the schedule's `rev` is the one the claim saw: count the firing (when delivered), set
    last_occurrence, last_run_at and next_run_at, insert the next occurrence unless its
    (schedule, occurrence) or id exists, and end the schedule if that was its last
    ('applied');
  - an update came in between: count the firing only; the update already chose the
    waiting occurrence ('counted').
  A cancel marker (force '0') never counts as a firing.

  Returns { { outcome, deliver '1'/'0' }, ... } in marker order, then the due signals.
]]
--- @include "prelude/tables"
--- @include "prelude/signals"
--- @include "prelude/insert-job"
--- @include "prelude/schedule-end"
--- @include "prelude/markers"

local now = ARGV[4]
local count = tonumber(ARGV[5])
local results, i = {}, 6
for n = 1, count do
  local m, deliver = ARGV[i], ARGV[i + 1]
  local next_job
  next_job, i = read_pairs(i + 2)
  local outcome = 'done'
  local info = redis.call('HGET', K['advance'], m)
  if info then
    info = cjson.decode(info)
    if info.force == '0' then deliver = '0' end
    local sid, occurrence = split_marker(m)
    local sk = schedule_key(sid)
    local s = redis.call('HMGET', sk, 'status', 'last_occurrence', 'rev', 'fire_count')
    if s[1] and not (s[2] and tonumber(occurrence) <= tonumber(s[2])) then
      local fired = deliver == '1'
      local counters = { 'fire_count', tonumber(s[4]) + (fired and 1 or 0), 'last_occurrence', occurrence, 'updated_at', now }
      if fired then
        counters[#counters + 1] = 'last_run_at'
        -- Claimed ahead of its time, it fires at its occurrence; claimed late, about now.
        counters[#counters + 1] = math.max(tonumber(now), tonumber(occurrence))
      end
      if s[1] == 'active' and s[3] == info.rev then
        outcome = 'applied'
        if #next_job > 0 then
          local f = to_map(next_job)
          counters[#counters + 1] = 'next_run_at'
          counters[#counters + 1] = f.occurrence
          redis.call('HSET', sk, unpack(counters))
          if not insert_conflict(f, nil) then insert_job(next_job) end
        else
          redis.call('HSET', sk, unpack(counters))
          redis.call('HDEL', sk, 'next_run_at')
          local holder = redis.call('HGET', occurrences_key(sid), occurrence)
          local last_status = holder and redis.call('HGET', job_key(holder), 'status') or nil
          finish_schedule_if_done(sid, last_status, now)
        end
      else
        outcome = 'counted'
        redis.call('HSET', sk, unpack(counters))
      end
    end
    redis.call('ZREM', advance_key(info.queue), m)
    redis.call('HDEL', K['advance'], m)
  end
  results[n] = { outcome, deliver }
end
return { results, finish() }

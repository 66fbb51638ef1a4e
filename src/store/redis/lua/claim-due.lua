--[[
  claimDue, step 1 of 2: lease the due jobs and mark the schedule occurrences among them
  that still have to advance their schedule.

  Why two steps. SQLite and PostgreSQL claim an occurrence and insert the schedule's next
  one in one transaction, calling the engine's `planNext` (JavaScript cron maths) while it
  is open. A Lua script cannot call back into JavaScript, so the step is split, and made
  safe by storage rather than by luck:

  1. This script, atomically: leases the jobs; for each leased job whose occurrence is newer
     than its active schedule's `last_occurrence`, writes an advance marker keyed by
     (schedule, occurrence) holding the schedule's revision (`rev`) as this claim saw it and
     a deadline (the lease's end) in `advance:{queue}`; returns the jobs with the schedules
     to plan from.
  2. JavaScript calls planNext, then advance-schedules.lua, atomically and idempotently per
     marker: if the schedule has not yet moved past the occurrence, it counts the firing,
     inserts the next occurrence (unique by (schedule, occurrence)), updates the schedule
     and deletes the marker. Only then does claimDue return the jobs, so nothing is
     delivered before its schedule has moved on.

  No occurrence is lost: a node dying between the steps leaves the marker and the leased
  job. The lease runs out, the reaper hands the job back, and whoever claims it again
  finds the marker still unapplied (the occurrence is still above `last_occurrence`) and
  completes it; if the job is never claimed again (its retries are spent, it was
  cancelled), the marker's deadline passes and the next claim on that queue sweeps it
  (below), plans it and completes it.
  None fires twice: the schedule's `last_occurrence` makes the advance a no-op the second
  time, and the next occurrence's (schedule, occurrence) key makes its insert a no-op, so
  two nodes completing one marker (a slow node and a sweeper) change the schedule once.
  An update in between (pause, new cron) bumps `rev`: the advance then only counts the
  firing and leaves the waiting occurrence the update chose, as if the claim had come
  first, which is the order SQLite would have serialised them in. The marker keeps the
  `rev` of the first claim (HSETNX), so a re-claim after an update cannot revive the
  old definition.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes leased, advance.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: caller's now; ARGV[5]: '1' to cap it at Redis TIME (never early by the server's
  clock); ARGV[6]: limit; ARGV[7]: owner; ARGV[8]: lease ms; ARGV[9]: 'running' or
  'reserved'; ARGV[10]: JSON array of the lane's queues, in order; ARGV[11]: JSON array of
  the lane's task names, or '' for the callback lane (every task of the queue);
  ARGV[12]: most stale markers to sweep; ARGV[13]: due by (claim jobs due up to this, ≥ the
  caller's now; moved back by as much as the caller's clock runs ahead of Redis's);
  ARGV[14]: a key to record what this claim took under, or '' (see below).

  Returns { jobs, schedules, swept, held back, server now }: jobs = { marker or '', job
  HGETALL from before this claim } in claim order, to which the caller applies what the
  claim wrote, the same for every job but attempts (claims.ts claimedHash): building each
  job's new reply here (to_flat) cost about 8% of redis-server's instructions per job
  claimed and completed (docs/benchmarks.md, "Redis: fewer calls and fields per job");
  schedules = { id, HGETALL, ... } of every schedule to plan;
  swept = stale markers this claim took over (completed by step 2 like its own); held back
  = the earliest run time the server clock kept from this claim ('' for none), with the
  server's now, so the caller can wake up when Redis's clock gets there.

  The record (ARGV[14]), kept as long as the lease: the leased job ids with their markers,
  the swept markers and the lease's end. When the connection drops while this script runs,
  the caller cannot tell whether it ran; it fetches the record back with recover-claim.lua
  and holds the jobs, instead of leaving them leased to itself until the lease runs out.
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/markers"

local caller_now = tonumber(ARGV[4])
local now = caller_now
if ARGV[5] == '1' then
  local t = redis.call('TIME')
  local server_now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  if server_now < now then now = server_now end
end
local held_back = nil
local limit, owner, as = tonumber(ARGV[6]), ARGV[7], ARGV[9]
local lease_until = caller_now + tonumber(ARGV[8])
-- Each queue once: a queue listed twice would be read again before its queued writes land.
local queues, listed = {}, {}
for _, q in ipairs(cjson.decode(ARGV[10])) do
  if not listed[q] then listed[q] = true; queues[#queues + 1] = q end
end
local lane_tasks = nil
if ARGV[11] ~= '' then lane_tasks = cjson.decode(ARGV[11]) end
local sweep_limit = tonumber(ARGV[12])
local cutoff = (tonumber(ARGV[13]) or caller_now) - (caller_now - now)

local jobs, swept = {}, {}
local schedules = CLAIMED_SCHEDULES
-- { id, marker } of each leased job, for the record.
local taken = {}
local function by_run_at(a, b)
  if a[2] ~= b[2] then return a[2] < b[2] end
  return bytes_less(a[1], b[1])
end

local function claim(id, from)
  local j, flat = load_full_job(id)
  if not j then
    -- An index entry without its job (deleted by hand): drop it rather than fail every claim.
    redis.call('ZREM', from, id)
    return
  end
  transition(id, j, as, { attempts = fmt(tonumber(j.attempts) + 1), lease_owner = owner, lease_until = fmt(lease_until),
    worker_id = owner, started_at = as == 'running' and fmt(caller_now) }, true)
  local marker = ''
  local sid = j.schedule_id
  if sid then
    local s = redis.call('HMGET', schedule_key(sid), 'status', 'last_occurrence', 'rev')
    if s[1] == 'active' and (not s[2] or tonumber(j.occurrence) > tonumber(s[2])) then
      marker = mark_advance(sid, j.occurrence, j.queue, j.task_name or '', lease_until, s[3], '')
      plan_from(sid)
    end
  end
  jobs[#jobs + 1] = { marker, flat }
  taken[#taken + 1] = { id, marker }
end

for _, q in ipairs(queues) do
  local room = limit - #jobs
  if room <= 0 then break end
  local settings = redis.call('HMGET', queue_key(q), 'paused', 'concurrency')
  if settings[1] ~= '1' then
    if settings[2] then room = math.min(room, tonumber(settings[2]) - redis.call('SCARD', active_key(q))) end
    local tasks = lane_tasks or redis.call('SMEMBERS', queue_tasks_key(q))
    -- One range per priority (critical first), merged across the lane's tasks by run_at.
    for prio = 0, 3 do
      if room <= 0 then break end
      local due = {}
      for _, task in ipairs(tasks) do
        local key = waiting_key(q, task, prio)
        local r = redis.call('ZRANGEBYSCORE', key, '-inf', cutoff, 'WITHSCORES', 'LIMIT', 0, room)
        for k = 1, #r, 2 do due[#due + 1] = { r[k], tonumber(r[k + 1]), key } end
      end
      if #tasks > 1 then table.sort(due, by_run_at) end
      local take = math.min(room, #due)
      for k = 1, take do claim(due[k][1], due[k][3]) end
      room = room - take
    end
    -- Room left while the server clock is behind the caller's: note the earliest job it
    -- held back, so the caller sleeps until then instead of until its next poll.
    if room > 0 and now < caller_now then
      for _, task in ipairs(tasks) do
        for prio = 0, 3 do
          local r = redis.call('ZRANGEBYSCORE', waiting_key(q, task, prio), '(' .. fmt(now), caller_now, 'WITHSCORES', 'LIMIT', 0, 1)
          if r[2] and (not held_back or tonumber(r[2]) < held_back) then held_back = tonumber(r[2]) end
        end
      end
    end
  end
end

-- Sweep: markers whose deadline passed belong to a node that died between the two steps.
for _, q in ipairs(queues) do
  if #swept >= sweep_limit then break end
  local ak = advance_key(q)
  for _, m in ipairs(redis.call('ZRANGEBYSCORE', ak, '-inf', now, 'LIMIT', 0, sweep_limit - #swept)) do
    local info = redis.call('HGET', K['advance'], m)
    local sid = split_marker(m)
    if not info or redis.call('EXISTS', schedule_key(sid)) == 0 then
      redis.call('ZREM', ak, m)
      if info then redis.call('HDEL', K['advance'], m) end
    else
      local task = cjson.decode(info).task
      local mine = lane_tasks == nil
      if lane_tasks then
        for _, t in ipairs(lane_tasks) do if t == task then mine = true end end
      end
      if mine then
        redis.call('ZADD', ak, lease_until, m)
        swept[#swept + 1] = m
        plan_from(sid)
      end
    end
  end
end
if ARGV[14] ~= '' and (#taken > 0 or #swept > 0) then
  local record = cjson.encode({ owner = owner, lease_until = fmt(lease_until), jobs = taken, swept = swept })
  redis.call('SET', ARGV[14], record, 'PX', fmt(math.max(1, math.ceil(tonumber(ARGV[8])))))
end
finish()
return cmsgpack.pack({ jobs, schedules, swept, held_back and fmt(held_back) or '', fmt(now) })

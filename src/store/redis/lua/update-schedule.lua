--[[
  updateSchedule: new status/definition and a swapped waiting occurrence, atomically.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes names, names:lex, v1-names, schedules:finished,
  seq:revision and the swapped jobs' keys.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: schedule id; ARGV[5]: updated_at; ARGV[6]: new status (optional(), '' keeps it).
  ARGV[7...]: fields to set (a count, then pairs), fields to clear (a count, then names),
  the next occurrence's job field list (count 0 for none).

  Bumps the schedule's `rev`, which tells a pending advance (claim-due.lua) that the
  definition it planned from is gone. Returns false when the schedule is missing, else
  { schedule HGETALL, due signals }.
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/signals"
--- @include "prelude/insert-job"
--- @include "prelude/delete-job"
--- @include "prelude/schedule-end"
--- @include "prelude/schedule-jobs"

local sid, now, status = ARGV[4], ARGV[5], opt(ARGV[6])
local set, i = read_pairs(7)
local unset
unset, i = read_pairs(i)
local next_job = read_pairs(i)
local sk = schedule_key(sid)
local cur = redis.call('HMGET', sk, 'name', 'target', 'status', 'dialect')
if not cur[1] then return false end
local patch = to_map(set)
local name, target = patch.name or cur[1], patch.target or cur[2]
local renamed = name ~= cur[1] or target ~= cur[2]
if renamed and target == 'callback' then
  local other = redis.call('HGET', K['names'], name)
  if other and other ~= sid and redis.call('EXISTS', schedule_key(other)) == 1 then
    fail('JOB_NAME_EXISTS', { name = name })
  end
end
local v1_renamed = cur[4] == 'v1' and name ~= cur[1]
if v1_renamed and v1_name_holder(name, sid) then fail('SCHEDULE_NAME_EXISTS', { name = name }) end
local waiting = waiting_ids(sid)
if #next_job > 0 then
  local conflict, params = insert_conflict(to_map(next_job), waiting)
  if conflict then fail(conflict, params) end
end

for id in pairs(waiting) do delete_job(id, false) end
if renamed then
  if cur[2] == 'callback' and redis.call('HGET', K['names'], cur[1]) == sid then
    redis.call('HDEL', K['names'], cur[1])
    redis.call('ZREM', K['names:lex'], cur[1])
  end
  if target == 'callback' then
    redis.call('HSET', K['names'], name, sid)
    redis.call('ZADD', K['names:lex'], 0, name)
  end
end
if v1_renamed then
  unindex_v1_name(cur[1], sid)
  index_v1_name(name, sid)
end
local rev = redis.call('INCR', K['seq:revision'])
redis.call('HSET', sk, 'rev', rev, 'updated_at', now, unpack(set))
if #unset > 0 then redis.call('HDEL', sk, unpack(unset)) end
if #next_job > 0 then
  redis.call('HSET', sk, 'next_run_at', to_map(next_job).occurrence)
else
  redis.call('HDEL', sk, 'next_run_at')
end
set_schedule_status(sid, status or cur[3], now)
if #next_job > 0 then insert_job(next_job) end
local signals = finish()
return { redis.call('HGETALL', sk), signals }

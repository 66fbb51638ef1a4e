--[[
  createSchedule: the schedule and its first occurrence in one step.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); writes names, names:lex, v1-names, schedules,
  schedules:finished, seq:revision and the first job's keys.
  ARGV[1..3]: prefix, due channel, origin.
  ARGV[4]: mode, 'create' or 'replace'.
  ARGV[5...]: the schedule's field list (a count, then pairs; rows.ts newScheduleFields),
  then the first job's field list (count 0 for none).

  A callback schedule's name is unique (the names hash). `create` fails with JOB_EXISTS
  while a live (active or paused) schedule holds the name and replaces a finished one;
  `replace` (Dapr overwrite) replaces any, with its waiting occurrences. A v1 schedule's
  name is unique among v1 schedules (the v1-names index): in either mode, a taken one fails
  with SCHEDULE_EXISTS. Every check runs before the first write. Returns the due signals.
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/signals"
--- @include "prelude/insert-job"
--- @include "prelude/schedule-jobs"

local mode = ARGV[4]
local fields, i = read_pairs(5)
local first = read_pairs(i)
local s = to_map(fields)
local sid = s.id
local existing = nil
if s.dialect == 'v1' and v1_name_holder(s.name, sid) then
  fail('SCHEDULE_NAME_EXISTS', { name = s.name })
end
if s.target == 'callback' then
  local other = redis.call('HGET', K['names'], s.name)
  if other then
    local status = redis.call('HGET', schedule_key(other), 'status')
    if status then
      if mode == 'create' and (status == 'active' or status == 'paused') then
        fail('JOB_NAME_EXISTS', { name = s.name })
      end
      existing = other
    end
  end
end
if existing ~= sid and redis.call('EXISTS', schedule_key(sid)) == 1 then
  fail('SCHEDULE_ID_EXISTS', { id = sid })
end
if #first > 0 then
  local conflict, params = insert_conflict(to_map(first), existing and waiting_ids(existing) or nil)
  if conflict then fail(conflict, params) end
end

if existing then
  delete_waiting_jobs(existing)
  delete_schedule(existing)
end
local rev = redis.call('INCR', K['seq:revision'])
redis.call('HSET', schedule_key(sid), 'rev', rev, unpack(fields))
if s.target == 'callback' then
  redis.call('HSET', K['names'], s.name, sid)
  redis.call('ZADD', K['names:lex'], 0, s.name)
end
if s.dialect == 'v1' then index_v1_name(s.name, sid) end
redis.call('ZADD', K['schedules'], s.created_at, sid)
if s.status == 'completed' or s.status == 'expired' or s.status == 'failed' then
  redis.call('ZADD', K['schedules:finished'], s.updated_at, sid)
end
if #first > 0 then insert_job(first) end
return finish()

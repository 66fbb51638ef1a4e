--[[
  A schedule's waiting occurrences, and deleting a schedule.
]]
--- @include "prelude/base"
--- @include "prelude/delete-job"
--- @include "prelude/schedule-names"

local function waiting_ids(sid)
  local ids = {}
  for _, id in ipairs(redis.call('SMEMBERS', open_key(sid))) do
    if WAITING[redis.call('HGET', job_key(id), 'status')] then ids[id] = true end
  end
  return ids
end

-- Deletes a schedule's waiting occurrences (running ones finish).
local function delete_waiting_jobs(sid)
  for id in pairs(waiting_ids(sid)) do delete_job(id, false) end
end

local function delete_schedule(sid)
  local sk = schedule_key(sid)
  local s = redis.call('HMGET', sk, 'name', 'target', 'dialect')
  if s[2] == 'callback' and redis.call('HGET', K['names'], s[1]) == sid then
    redis.call('HDEL', K['names'], s[1])
    redis.call('ZREM', K['names:lex'], s[1])
  end
  if s[3] == 'v1' then unindex_v1_name(s[1], sid) end
  redis.call('ZREM', K['schedules'], sid)
  redis.call('ZREM', K['schedules:finished'], sid)
  redis.call('DEL', sk)
end

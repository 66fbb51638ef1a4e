--[[
  Advance markers: "this occurrence fired; its schedule still has to move past it".
]]

-- Advance markers: "this occurrence fired; its schedule still has to move past it".
local function split_marker(m)
  return string.match(m, '^(.*)|([^|]*)$')
end

local function mark_advance(sid, occurrence, queue, task, deadline, rev, force)
  local m = sid .. '|' .. occurrence
  redis.call('ZADD', advance_key(queue), deadline, m)
  redis.call('HSETNX', K['advance'], m, cjson.encode({ rev = rev, force = force, queue = queue, task = task }))
  return m
end

-- The schedules of a claim's jobs, each once, as (id, HGETALL) pairs in its reply: step 2
-- plans their next occurrences from them.
local CLAIMED_SCHEDULES, CLAIMED_PLANNED = {}, {}

local function plan_from(sid)
  if CLAIMED_PLANNED[sid] then return end
  CLAIMED_PLANNED[sid] = true
  CLAIMED_SCHEDULES[#CLAIMED_SCHEDULES + 1] = sid
  CLAIMED_SCHEDULES[#CLAIMED_SCHEDULES + 1] = redis.call('HGETALL', schedule_key(sid))
end

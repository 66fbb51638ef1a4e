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

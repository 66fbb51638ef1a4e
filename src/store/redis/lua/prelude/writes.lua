--[[
  Queued index writes, sent per key in one variadic command when the script ends.
]]

-- Queued writes, one variadic command per (command, key) at the end.
local WRITES, WRITE_ORDER = {}, {}

local function queued(command, key)
  local by_key = WRITES[command]
  if not by_key then
    by_key = {}
    WRITES[command] = by_key
  end
  local w = by_key[key]
  if not w then
    w = { command, key }
    by_key[key] = w
    WRITE_ORDER[#WRITE_ORDER + 1] = w
  end
  return w
end

local function zadd(key, score, member) local w = queued('ZADD', key); w[#w + 1] = score; w[#w + 1] = member end

local function zrem(key, member) local w = queued('ZREM', key); w[#w + 1] = member end

local function sadd(key, member) local w = queued('SADD', key); w[#w + 1] = member end

local function srem(key, member) local w = queued('SREM', key); w[#w + 1] = member end

local function hset_later(key, field, value) local w = queued('HSET', key); w[#w + 1] = field; w[#w + 1] = value end

local function flush_writes()
  for _, w in ipairs(WRITE_ORDER) do
    -- 1,000 arguments per call (an even number keeps pairs together): unpack() is bounded
    -- by Lua's C stack (~8,000).
    local i = 3
    while i <= #w do
      local j = math.min(i + 999, #w)
      redis.call(w[1], w[2], unpack(w, i, j))
      i = j + 1
    end
  end
  WRITES, WRITE_ORDER = {}, {}
end

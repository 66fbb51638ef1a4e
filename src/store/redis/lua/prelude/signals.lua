--[[
  Due signals: the earliest run time per (target, queue), published once per script; finish() ends every writing script.
]]
--- @include "prelude/base"
--- @include "prelude/writes"

-- Due signals: the earliest run time per (target, queue), published once per script.
local SIGNALS, SIGNAL_ORDER = {}, {}

local function signal(target, queue, run_at)
  local k = target .. '\0' .. queue
  local s = SIGNALS[k]
  if not s then
    SIGNALS[k] = { target, queue, run_at, '0' }
    SIGNAL_ORDER[#SIGNAL_ORDER + 1] = k
  elseif tonumber(run_at) ~= tonumber(s[3]) then
    -- A later time too: the listener re-reads its window once it has used the earliest.
    s[4] = '1'
    if tonumber(run_at) < tonumber(s[3]) then s[3] = run_at end
  end
end

-- Ends every writing script: sends the queued writes, publishes the due signals and
-- returns them flat (target, queue, runAt, ...) for this store's own listeners.
local function finish()
  flush_writes()
  local flat, items = {}, {}
  for _, k in ipairs(SIGNAL_ORDER) do
    local s = SIGNALS[k]
    flat[#flat + 1] = s[1]; flat[#flat + 1] = s[2]; flat[#flat + 1] = s[3]; flat[#flat + 1] = s[4]
    items[#items + 1] = '{"target":' .. cjson.encode(s[1]) .. ',"queue":' .. cjson.encode(s[2]) .. ',"runAt":' .. s[3] ..
      (s[4] == '1' and ',"more":true' or '') .. '}'
  end
  if #items > 0 then
    redis.call('PUBLISH', CHANNEL, '{"from":' .. cjson.encode(ORIGIN) .. ',"signals":[' .. table.concat(items, ',') .. ']}')
  end
  return flat
end

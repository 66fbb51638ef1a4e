--[[
  callbackScheduleCounts (read only), one chunk: the statuses of up to ARGV[5] callback
  schedules whose names follow ARGV[4] in names:lex. The store walks the chunks by name and
  sums in JavaScript, so a million schedules never hold Redis for one long script (as
  job-stats-chunk.lua); a schedule created or deleted during the walk may be counted or not.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads names, names:lex.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: the last name of the previous chunk, ''
  for the first; ARGV[5]: names per chunk.
  Returns { last name read or '' when this was the last chunk, status, n, status, n, ... }.
]]

local count = tonumber(ARGV[5])
local min = ARGV[4] == '' and '-' or '(' .. ARGV[4]
local names = redis.call('ZRANGEBYLEX', K['names:lex'], min, '+', 'LIMIT', 0, count)
local counts = {}
for _, name in ipairs(names) do
  local sid = redis.call('HGET', K['names'], name)
  local status = sid and redis.call('HGET', schedule_key(sid), 'status')
  if status then counts[status] = (counts[status] or 0) + 1 end
end
local out = { #names == count and names[#names] or '' }
for status, n in pairs(counts) do
  out[#out + 1] = status
  out[#out + 1] = n
end
return out

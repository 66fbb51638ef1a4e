--[[
  jobStats (read only), one chunk: the fields the counters need, for task jobs at ranks
  [start, start + count) of idx:target:task. The store walks the chunks and sums in
  JavaScript, so a million jobs never hold Redis for one long script (SQLite scans them
  all too); jobs added during the walk may be counted once more or not at all.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); none read.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: start rank; ARGV[5]: count.
  Returns { ids read, then queue, status, priority, occurrence, created_at, started_at or '',
  completed_at or '', ... }, 7 per job.
]]

local start, count = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids = redis.call('ZRANGE', target_idx('task'), start, start + count - 1)
local out = { #ids }
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', job_key(id), 'queue', 'status', 'priority', 'occurrence', 'created_at', 'started_at', 'completed_at')
  if v[1] then
    for k = 1, 7 do out[#out + 1] = v[k] or '' end
  end
end
return out

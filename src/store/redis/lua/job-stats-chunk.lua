--[[
  jobStats (read only), one chunk: the task jobs among the v1 jobs at ranks [start, start +
  count) of idx:dialect:v1 (a task job is always a v1 one; layout 6 dropped the index by
  target), counted here by queue, status and priority, with the sums behind the mean
  wait and run. The store walks the chunks and adds them up in JavaScript, so a million jobs
  never hold Redis for one long script (SQLite scans them all too); jobs added during the walk
  may be counted once more or not at all. Counting here rather than returning 7 fields per job
  made the reply a few dozen values instead of 14,000 and the stats faster (docs/benchmarks.md,
  "Redis: a filtered list walked in order, the stats counted in Lua").

  KEYS: the global keys (keys.ts GLOBAL_KEYS); none read.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: start rank; ARGV[5]: count.
  Returns { ids read, wait sum, jobs started, run sum, jobs completed after starting, then
  queue, status, priority, jobs, ... }; the sums as text (they may have fractions).
]]
--- @include "prelude/base"

local start, count = tonumber(ARGV[4]), tonumber(ARGV[5])
local ids = redis.call('ZRANGE', dialect_idx('v1'), start, start + count - 1)
local counts, groups = {}, {}
local wait_sum, waited, run_sum, ran = 0, 0, 0, 0
for _, id in ipairs(ids) do
  local v = redis.call('HMGET', job_key(id), 'queue', 'status', 'priority', 'occurrence', 'created_at', 'started_at', 'completed_at', 'target')
  if v[1] and v[8] == 'task' then
    local key = v[1] .. '\0' .. v[2] .. '\0' .. v[3]
    if not counts[key] then
      counts[key] = 0
      groups[#groups + 1] = { v[1], v[2], v[3], key }
    end
    counts[key] = counts[key] + 1
    if v[6] then
      local started = tonumber(v[6])
      wait_sum = wait_sum + started - math.max(tonumber(v[4]), tonumber(v[5]))
      waited = waited + 1
      if v[2] == 'completed' and v[7] then
        run_sum = run_sum + tonumber(v[7]) - started
        ran = ran + 1
      end
    end
  end
end
local out = { #ids, fmt(wait_sum), waited, fmt(run_sum), ran }
for _, g in ipairs(groups) do
  out[#out + 1] = g[1]
  out[#out + 1] = g[2]
  out[#out + 1] = g[3]
  out[#out + 1] = counts[g[4]]
end
return out

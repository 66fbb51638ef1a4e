--[[
  peekDueTimes (read only): the earliest run times of claimable jobs in a lane, up to a
  horizon, paused queues left out. No DISTINCT: a burst of 100k jobs at one instant costs
  `limit` entries per waiting key, and the caller treats the last one as its horizon.

  The deadlines of the lane's advance markers count as due times too. A marker outlives
  its deadline only when its node died between the two steps of a claim (claim-due.lua);
  if the job then never comes back (its retries are spent), nothing else would make a
  dispatcher claim on that queue again, and the claim is what sweeps the marker and moves
  the schedule on.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads advance.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: horizon; ARGV[5]: limit; ARGV[6]: JSON
  array of queues; ARGV[7]: JSON array of task names, '' for every task of the queue; ARGV[8]:
  the lower bound, '-inf' or '(<ms>' for times after it.
  Returns run times (strings), unsorted; the caller sorts and cuts to `limit`.
]]

local until_, limit, from = ARGV[4], tonumber(ARGV[5]), ARGV[8]
local lane_tasks = nil
if ARGV[7] ~= '' then lane_tasks = cjson.decode(ARGV[7]) end
local times = {}
for _, q in ipairs(cjson.decode(ARGV[6])) do
  if redis.call('HGET', queue_key(q), 'paused') ~= '1' then
    for _, task in ipairs(lane_tasks or redis.call('SMEMBERS', queue_tasks_key(q))) do
      for prio = 0, 3 do
        local r = redis.call('ZRANGEBYSCORE', waiting_key(q, task, prio), from, until_, 'WITHSCORES', 'LIMIT', 0, limit)
        for k = 2, #r, 2 do times[#times + 1] = r[k] end
      end
    end
    local markers = redis.call('ZRANGEBYSCORE', advance_key(q), from, until_, 'WITHSCORES', 'LIMIT', 0, limit)
    for k = 1, #markers, 2 do
      local info = redis.call('HGET', K['advance'], markers[k])
      local mine = lane_tasks == nil
      if info and lane_tasks then
        local task = cjson.decode(info).task
        for _, t in ipairs(lane_tasks) do if t == task then mine = true end end
      end
      if info and mine then times[#times + 1] = markers[k + 1] end
    end
  end
end
return times

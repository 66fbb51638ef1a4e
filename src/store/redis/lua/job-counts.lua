--[[
  jobCounts (read only): per queue, the waiting jobs (ZCARD of its waiting sets) and the
  claimed ones (SCARD of its active set), O(queues × tasks per queue); and the dead letters,
  the callback jobs failed or timed out, as their list shows them (ZCARD of dead-letters).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads queues, dead-letters.
  ARGV[1..3]: prefix, due channel, origin.
  Returns { dead letters, name, waiting, claimed, name, waiting, claimed, ... }.
]]

local out = { 0 }
for _, q in ipairs(redis.call('SMEMBERS', K['queues'])) do
  local waiting = 0
  for _, task in ipairs(redis.call('SMEMBERS', queue_tasks_key(q))) do
    for prio = 0, 3 do waiting = waiting + redis.call('ZCARD', waiting_key(q, task, prio)) end
  end
  local claimed = redis.call('SCARD', active_key(q))
  if waiting > 0 or claimed > 0 then
    out[#out + 1] = q
    out[#out + 1] = waiting
    out[#out + 1] = claimed
  end
end
out[1] = redis.call('ZCARD', K['dead-letters'])
return out

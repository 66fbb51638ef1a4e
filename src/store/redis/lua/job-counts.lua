--[[
  jobCounts (read only): per queue, the waiting jobs (ZCARD of its waiting sets) and the
  claimed ones (SCARD of its active set), O(queues × tasks per queue); and the dead letters,
  the callback jobs in a dead-letter status (as the dead-letter list), counted by ZINTERCARD of
  each status index with the callback target's, in C over the smaller one (the status index,
  which retention bounds). Before Redis 7, pcall returns an error and the status index is walked.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads queues.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4..]: the dead-letter statuses.
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
for i = 4, #ARGV do
  local counted = redis.pcall('ZINTERCARD', 2, status_idx(ARGV[i]), target_idx('callback'))
  if type(counted) == 'number' then
    out[1] = out[1] + counted
  else
    for _, id in ipairs(redis.call('ZRANGE', status_idx(ARGV[i]), 0, -1)) do
      if redis.call('HGET', job_key(id), 'target') == 'callback' then out[1] = out[1] + 1 end
    end
  end
end
return out

--[[
  listQueues (read only): every queue with settings, registered tasks, waiting or running
  jobs, with its counts. O(queues × tasks per queue).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads queues, task-queues.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: the internal callback queue (left out).
  Returns { name, size, running, paused '1'/'', concurrency or '', ... }.
]]

local names = {}
for _, q in ipairs(redis.call('SUNION', K['queues'], K['task-queues'])) do names[#names + 1] = q end
local out = {}
for _, q in ipairs(names) do
  if q ~= ARGV[4] then
    local settings = redis.call('HMGET', queue_key(q), 'paused', 'concurrency', 'updated_at')
    local size = 0
    for _, task in ipairs(redis.call('SMEMBERS', queue_tasks_key(q))) do
      for prio = 0, 3 do size = size + redis.call('ZCARD', waiting_key(q, task, prio)) end
    end
    local running = redis.call('SCARD', active_key(q))
    local listed = settings[3] or size > 0 or running > 0 or redis.call('SISMEMBER', K['task-queues'], q) == 1
    if listed then
      out[#out + 1] = { q, size, running, settings[1] == '1' and '1' or '', settings[2] or '' }
    end
  end
end
return out

--[[
  purgeFinished (retention): finished jobs completed before the cut-off, with their
  history; history entries that fired before it (a long-lived schedule's early firings);
  finished schedules last updated before it. At most `limit` of each per call.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads finished, history:all,
  schedules:finished and deletes from every index.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: cut-off; ARGV[5]: limit.

  History ages out from its oldest ids: an id is given when the attempt is recorded, after
  it fired, so the oldest ids hold the oldest firings; an entry that fired before the
  cut-off but was recorded after a newer one waits for a later pass. Returns how many
  jobs went.
]]
--- @include "prelude/signals"
--- @include "prelude/history"
--- @include "prelude/delete-job"
--- @include "prelude/schedule-jobs"

local before, limit = ARGV[4], tonumber(ARGV[5])
local ids = redis.call('ZRANGEBYSCORE', K['finished'], '-inf', '(' .. before, 'LIMIT', 0, limit)
for _, id in ipairs(ids) do delete_job(id, true) end
local cut = tonumber(before)
for _, hid in ipairs(redis.call('ZRANGE', K['history:all'], 0, limit - 1)) do
  local entry = redis.call('HGET', K['history'], hid)
  if not entry then
    redis.call('ZREM', K['history:all'], hid)
  elseif cjson.decode(entry)[2].firedAt < cut then
    delete_history_entry(hid, entry)
  end
end
for _, sid in ipairs(redis.call('ZRANGEBYSCORE', K['schedules:finished'], '-inf', '(' .. before, 'LIMIT', 0, limit)) do
  delete_schedule(sid)
end
finish()
return #ids

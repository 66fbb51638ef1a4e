--[[
  History entries: ids, appending an attempt, deleting an entry.
]]
--- @include "prelude/base"
--- @include "prelude/writes"

-- History: entries in one hash; ids by id in history:all and per schedule; per job in the
-- job's own `history_ids` field (no key per job), kept in history:job:{id} only when a
-- job with history is deleted before retention (a cleared retrying job), as SQLite keeps
-- such rows.
-- Ids come from seq:history; a batch reserves its ids with one INCRBY (an outcome fenced
-- off leaves a gap, which nothing minds: ids only have to grow).
local HISTORY_NEXT, HISTORY_LAST = 0, -1

local function reserve_history_ids(n)
  if n <= 0 then return end
  HISTORY_LAST = redis.call('INCRBY', K['seq:history'], n)
  HISTORY_NEXT = HISTORY_LAST - n + 1
end

local function next_history_id()
  if HISTORY_NEXT > HISTORY_LAST then return redis.call('INCR', K['seq:history']) end
  HISTORY_NEXT = HISTORY_NEXT + 1
  return HISTORY_NEXT - 1
end

-- Appends one attempt. `attempt_json` is the attempt half, built by the caller. Returns the
-- job's new history_ids value, for the caller's own HSET of the job.
local function add_history(id, j, attempt_json)
  local hid = next_history_id()
  local head = cjson.encode({ jobId = id, scheduleId = j.schedule_id or cjson.null, name = j.name or cjson.null,
    occurrence = j.occurrence, attempt = j.attempts, workerId = j.worker_id or cjson.null })
  hset_later(K['history'], hid, '[' .. head .. ',' .. attempt_json .. ']')
  zadd(K['history:all'], hid, hid)
  if j.schedule_id then zadd(schedule_history_key(j.schedule_id), hid, hid) end
  if j.history_ids and j.history_ids ~= '' then return j.history_ids .. ',' .. fmt(hid) end
  return fmt(hid)
end

local function delete_history_entry(hid, entry)
  local e = cjson.decode(entry)[1]
  redis.call('HDEL', K['history'], hid)
  redis.call('ZREM', K['history:all'], hid)
  if e.scheduleId ~= cjson.null then redis.call('ZREM', schedule_history_key(e.scheduleId), hid) end
end

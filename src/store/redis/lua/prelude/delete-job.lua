--[[
  Deleting a job and its index entries (and, for retention, its history).
]]
--- @include "prelude/writes"
--- @include "prelude/jobs"
--- @include "prelude/history"

-- Deletes a job and its index entries. History stays unless `with_history` (retention).
local function delete_job(id, with_history)
  flush_writes()
  local j = load_job(id)
  if not j then return false end
  place(id, j, false)
  zrem(queue_idx(j.queue), id)
  -- Read here, not by load_job: claims and outcomes load jobs far more often than jobs go.
  zrem(dialect_idx(redis.call('HGET', job_key(id), 'dialect')), id)
  if j.schedule_id then
    zrem(schedule_idx(j.schedule_id), id)
    local occ = occurrences_key(j.schedule_id)
    if redis.call('HGET', occ, j.occurrence) == id then redis.call('HDEL', occ, j.occurrence) end
    sync_open(id, j.schedule_id, j.status, 'completed')
  end
  flush_writes()
  local hk = job_history_key(id)
  if with_history then
    local ids = j.history_ids or redis.call('GET', hk) or ''
    for hid in string.gmatch(ids, '[^,]+') do
      local entry = redis.call('HGET', K['history'], hid)
      if entry then delete_history_entry(hid, entry) end
    end
    redis.call('DEL', hk)
  elseif j.history_ids and j.history_ids ~= '' then
    redis.call('SET', hk, j.history_ids)
  end
  redis.call('DEL', job_key(id))
  return true
end

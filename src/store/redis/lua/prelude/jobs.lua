--[[
  Loading a job and moving it between statuses (its indexes and its schedule's open set).
]]
--- @include "prelude/base"
--- @include "prelude/tables"
--- @include "prelude/writes"

-- Adds (on = true) or removes a job from the indexes its status puts it in (`j` holds at
-- least status, queue, task_name, priority, run_at, lease_until, completed_at, created_at and
-- target). The schedule's
-- `open` set is kept by sync_open, at once, since finishing a schedule reads it.
-- Reserved and running jobs have no status zset: list-jobs.lua lists them from `leased`,
-- since one would cost each job a write at its claim and at its outcome (migration 004).
local function place(id, j, on)
  local s = j.status
  if LEASED[s] then
    if on then
      zadd(K['leased'], j.lease_until, id)
      sadd(active_key(j.queue), id)
    else
      zrem(K['leased'], id)
      srem(active_key(j.queue), id)
    end
    return
  end
  if WAITING[s] then
    local key = waiting_key(j.queue, j.task_name or '', j.priority)
    if on then zadd(key, j.run_at, id) else zrem(key, id) end
  else
    if on then zadd(K['finished'], j.completed_at, id) else zrem(K['finished'], id) end
    -- Only the jobs that end dead-lettered pay this entry (layout 5).
    if DEAD[s] and j.target == 'callback' then
      if on then zadd(K['dead-letters'], j.completed_at, id) else zrem(K['dead-letters'], id) end
    end
  end
  if on then zadd(status_idx(s), j.created_at, id) else zrem(status_idx(s), id) end
end

local function sync_open(id, sid, old_status, new_status)
  if not sid then return end
  local was, is = old_status and not FINAL[old_status], not FINAL[new_status]
  if was and not is then redis.call('SREM', open_key(sid), id)
  elseif is and not was then redis.call('SADD', open_key(sid), id) end
end

-- The fields that decide where a job is indexed, plus what most transitions read.
local JOB_FIELDS = { 'status', 'queue', 'task_name', 'priority', 'run_at', 'lease_until', 'completed_at',
  'created_at', 'schedule_id', 'occurrence', 'target', 'attempts', 'lease_owner', 'name', 'worker_id',
  'max_retries', 'cancel_requested', 'started_at', 'history_ids' }

-- `fields` (status first) narrows the read to what the caller uses: a listpack hash finds
-- each field by a scan, so a field not read is work saved.
local function load_job(id, fields)
  fields = fields or JOB_FIELDS
  local v = redis.call('HMGET', job_key(id), unpack(fields))
  if not v[1] then return nil end
  local j = {}
  for i, f in ipairs(fields) do j[f] = v[i] end
  return j
end

-- The whole job, for scripts that return it: one HGETALL instead of HMGET + HGETALL; also
-- that reply itself, the job as it was (claim-due.lua returns it).
local function load_full_job(id)
  local flat = redis.call('HGETALL', job_key(id))
  if #flat == 0 then return nil end
  return to_map(flat), flat
end

-- Moves a loaded job to a new status: indexes, the open set, and the hash fields given
-- (`set`: field → value, false deletes it). A field the job is known not to have is not
-- deleted again: false in `j` (HMGET's answer for an absent field), or nil when `whole`
-- says `j` holds every field of the hash (load_full_job). A claim then writes with one
-- call instead of two.
local function transition(id, j, status, set, whole)
  local old = j.status
  place(id, j, false)
  j.status = status
  local hset, hdel = { 'HSET', job_key(id), 'status', status }, { 'HDEL', job_key(id) }
  for field, value in pairs(set) do
    if value then
      j[field] = value
      hset[#hset + 1] = field; hset[#hset + 1] = value
    else
      local had = j[field]
      j[field] = false
      if had or (had == nil and not whole) then hdel[#hdel + 1] = field end
    end
  end
  redis.call(unpack(hset))
  if #hdel > 2 then redis.call(unpack(hdel)) end
  place(id, j, true)
  sync_open(id, j.schedule_id, old, status)
end

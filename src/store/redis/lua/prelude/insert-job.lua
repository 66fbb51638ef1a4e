--[[
  Inserting a pending job from its field list, and why one cannot be inserted.
]]
--- @include "prelude/tables"
--- @include "prelude/writes"
--- @include "prelude/jobs"
--- @include "prelude/signals"

local SEEN_QUEUES = {}

local function note_queue(queue, task)
  local k = queue .. '\0' .. task
  if SEEN_QUEUES[k] then return end
  SEEN_QUEUES[k] = true
  sadd(K['queues'], queue)
  sadd(queue_tasks_key(queue), task)
end

-- Why a new job cannot be inserted (its id or its (schedule, occurrence) is taken): a
-- message template id and its parameters, or nil.
-- `replaced`: ids about to be deleted by the same script, whose occurrences are free.
local function insert_conflict(f, replaced)
  if redis.call('EXISTS', job_key(f.id)) == 1 then return 'JOB_ID_EXISTS', { id = f.id } end
  if f.schedule_id then
    local holder = redis.call('HGET', occurrences_key(f.schedule_id), f.occurrence)
    if holder and not (replaced and replaced[holder]) then
      return 'OCCURRENCE_TAKEN', { scheduleId = f.schedule_id, occurrence = f.occurrence }
    end
  end
  return nil
end

-- Inserts a pending job from its field list (pairs, nulls omitted; see rows.ts).
local function insert_job(pairs_list)
  local f = to_map(pairs_list)
  local id = f.id
  redis.call('HSET', job_key(id), 'status', 'pending', 'attempts', '0', unpack(pairs_list))
  f.status = 'pending'
  place(id, f, true)
  -- No index of every job, nor by target (layout 6): the dialect indexes hold every job between
  -- them, and a task job is always a v1 one.
  zadd(queue_idx(f.queue), f.created_at, id)
  zadd(dialect_idx(f.dialect), f.created_at, id)
  if f.schedule_id then
    zadd(schedule_idx(f.schedule_id), f.created_at, id)
    redis.call('HSET', occurrences_key(f.schedule_id), f.occurrence, id)
    redis.call('SADD', open_key(f.schedule_id), id)
  end
  note_queue(f.queue, f.task_name or '')
  signal(f.target, f.queue, f.run_at)
  return f
end

import { LUA_KEYS } from '../keys.js';

/**
 * Helpers prepended to every script (after the key layout). Conventions:
 * - ARGV[1] is the prefix, ARGV[2] the due channel, ARGV[3] this store's origin id (its own
 *   published signals come back on its subscriber and are skipped); a script's own arguments
 *   start at ARGV[4].
 * - Numbers travel as strings. Lua's `..` and tostring() print 14 significant digits, which
 *   would corrupt a far-future time (year 9999 needs 15), so computed numbers go through
 *   fmt(), and values read from Redis or ARGV are kept as the strings they are.
 * - A script checks everything that can fail before its first write: Redis does not roll
 *   back a script that errors half-way.
 * - Absent hash field = null. HMGET answers false for it.
 * - Index writes (zadd, zrem, sadd, srem, hset_later) are queued and sent per key in one
 *   variadic command when the script ends (finish()). A batch of 100 claims then costs
 *   ~3 Redis calls per job instead of ~9: measured, the calls are most of a script's time.
 *   Nothing a script reads back is queued: the per-schedule `open` set, job hashes and the
 *   occurrence keys are written at once.
 */
export const LUA_PRELUDE = `${LUA_KEYS}
local CHANNEL = ARGV[2]
local ORIGIN = ARGV[3]
local WAITING = { pending = true, retrying = true }
local LEASED = { reserved = true, running = true }
local FINAL = { completed = true, failed = true, cancelled = true, timeout = true }

local function fmt(x)
  if x == math.floor(x) then return string.format('%d', x) end
  return string.format('%.17g', x)
end

-- A nullable string from a fixed ARGV slot (codec.ts optional()): '' is nil, else '=' .. value.
local function opt(s)
  if s == '' then return nil end
  return string.sub(s, 2)
end

local function fail(code, message) error({ err = code .. ' ' .. message }) end

-- Byte order (SQLite's BINARY collation), independent of the server's locale.
local function bytes_less(a, b)
  if a == b then return false end
  local n = math.min(#a, #b)
  for i = 1, n do
    local x, y = string.byte(a, i), string.byte(b, i)
    if x ~= y then return x < y end
  end
  return #a < #b
end

local function to_map(flat)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  return t
end

-- A job or schedule as HGETALL would answer, from a map whose deleted fields are false.
local function to_flat(map)
  local flat = {}
  for k, v in pairs(map) do
    if v then flat[#flat + 1] = k; flat[#flat + 1] = v end
  end
  return flat
end

-- Queued writes, one variadic command per (command, key) at the end.
local WRITES, WRITE_ORDER = {}, {}
local function queued(command, key)
  local by_key = WRITES[command]
  if not by_key then
    by_key = {}
    WRITES[command] = by_key
  end
  local w = by_key[key]
  if not w then
    w = { command, key }
    by_key[key] = w
    WRITE_ORDER[#WRITE_ORDER + 1] = w
  end
  return w
end
local function zadd(key, score, member) local w = queued('ZADD', key); w[#w + 1] = score; w[#w + 1] = member end
local function zrem(key, member) local w = queued('ZREM', key); w[#w + 1] = member end
local function sadd(key, member) local w = queued('SADD', key); w[#w + 1] = member end
local function srem(key, member) local w = queued('SREM', key); w[#w + 1] = member end
local function hset_later(key, field, value) local w = queued('HSET', key); w[#w + 1] = field; w[#w + 1] = value end

local function flush_writes()
  for _, w in ipairs(WRITE_ORDER) do
    -- 1,000 arguments per call (an even number keeps pairs together): unpack() is bounded
    -- by Lua's C stack (~8,000).
    local i = 3
    while i <= #w do
      local j = math.min(i + 999, #w)
      redis.call(w[1], w[2], unpack(w, i, j))
      i = j + 1
    end
  end
  WRITES, WRITE_ORDER = {}, {}
end

-- Adds (on = true) or removes a job from the indexes its status puts it in. The schedule's
-- \`open\` set is kept by sync_open, at once, since finishing a schedule reads it.
local function place(id, j, on)
  local s = j.status
  if WAITING[s] then
    local key = waiting_key(j.queue, j.task_name or '', j.priority)
    if on then zadd(key, j.run_at, id) else zrem(key, id) end
  elseif LEASED[s] then
    if on then
      zadd(K['leased'], j.lease_until, id)
      sadd(active_key(j.queue), id)
    else
      zrem(K['leased'], id)
      srem(active_key(j.queue), id)
    end
  else
    if on then zadd(K['finished'], j.completed_at, id) else zrem(K['finished'], id) end
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

local function load_job(id)
  local v = redis.call('HMGET', job_key(id), unpack(JOB_FIELDS))
  if not v[1] then return nil end
  local j = {}
  for i, f in ipairs(JOB_FIELDS) do j[f] = v[i] end
  return j
end

-- The whole job, for scripts that return it: one HGETALL instead of HMGET + HGETALL.
local function load_full_job(id)
  local flat = redis.call('HGETALL', job_key(id))
  if #flat == 0 then return nil end
  return to_map(flat)
end

-- Moves a loaded job to a new status: indexes, the open set, and the hash fields given
-- (\`set\`: field → value, false deletes it).
local function transition(id, j, status, set)
  local old = j.status
  place(id, j, false)
  j.status = status
  local hset, hdel = { 'HSET', job_key(id), 'status', status }, { 'HDEL', job_key(id) }
  for field, value in pairs(set) do
    if value then
      j[field] = value
      hset[#hset + 1] = field; hset[#hset + 1] = value
    else
      j[field] = false
      hdel[#hdel + 1] = field
    end
  end
  redis.call(unpack(hset))
  if #hdel > 2 then redis.call(unpack(hdel)) end
  place(id, j, true)
  sync_open(id, j.schedule_id, old, status)
end

-- Due signals: the earliest run time per (target, queue), published once per script.
local SIGNALS, SIGNAL_ORDER = {}, {}
local function signal(target, queue, run_at)
  local k = target .. '\\0' .. queue
  local s = SIGNALS[k]
  if not s then
    SIGNALS[k] = { target, queue, run_at, '0' }
    SIGNAL_ORDER[#SIGNAL_ORDER + 1] = k
  elseif tonumber(run_at) ~= tonumber(s[3]) then
    -- A later time too: the listener re-reads its window once it has used the earliest.
    s[4] = '1'
    if tonumber(run_at) < tonumber(s[3]) then s[3] = run_at end
  end
end

-- Ends every writing script: sends the queued writes, publishes the due signals and
-- returns them flat (target, queue, runAt, ...) for this store's own listeners.
local function finish()
  flush_writes()
  local flat, items = {}, {}
  for _, k in ipairs(SIGNAL_ORDER) do
    local s = SIGNALS[k]
    flat[#flat + 1] = s[1]; flat[#flat + 1] = s[2]; flat[#flat + 1] = s[3]; flat[#flat + 1] = s[4]
    items[#items + 1] = '{"target":' .. cjson.encode(s[1]) .. ',"queue":' .. cjson.encode(s[2]) .. ',"runAt":' .. s[3] ..
      (s[4] == '1' and ',"more":true' or '') .. '}'
  end
  if #items > 0 then
    redis.call('PUBLISH', CHANNEL, '{"from":' .. cjson.encode(ORIGIN) .. ',"signals":[' .. table.concat(items, ',') .. ']}')
  end
  return flat
end

local SEEN_QUEUES = {}
local function note_queue(queue, task)
  local k = queue .. '\\0' .. task
  if SEEN_QUEUES[k] then return end
  SEEN_QUEUES[k] = true
  sadd(K['queues'], queue)
  sadd(queue_tasks_key(queue), task)
end

-- Why a new job cannot be inserted (its id or its (schedule, occurrence) is taken), or nil.
-- \`replaced\`: ids about to be deleted by the same script, whose occurrences are free.
local function insert_conflict(f, replaced)
  if redis.call('EXISTS', job_key(f.id)) == 1 then return 'a job with id "' .. f.id .. '" already exists' end
  if f.schedule_id then
    local holder = redis.call('HGET', occurrences_key(f.schedule_id), f.occurrence)
    if holder and not (replaced and replaced[holder]) then
      return 'schedule "' .. f.schedule_id .. '" already has a job for occurrence ' .. f.occurrence
    end
  end
  return nil
end

-- Inserts a pending job from its field list (pairs, nulls omitted; see codec.ts).
local function insert_job(pairs_list)
  local f = to_map(pairs_list)
  local id = f.id
  redis.call('HSET', job_key(id), 'status', 'pending', 'attempts', '0', unpack(pairs_list))
  f.status = 'pending'
  place(id, f, true)
  zadd(K['jobs'], f.created_at, id)
  zadd(queue_idx(f.queue), f.created_at, id)
  zadd(target_idx(f.target), f.created_at, id)
  if f.schedule_id then
    zadd(schedule_idx(f.schedule_id), f.created_at, id)
    redis.call('HSET', occurrences_key(f.schedule_id), f.occurrence, id)
    redis.call('SADD', open_key(f.schedule_id), id)
  end
  note_queue(f.queue, f.task_name or '')
  signal(f.target, f.queue, f.run_at)
  return f
end

-- Reads a list from ARGV starting at i: a count, then that many strings.
local function read_pairs(i)
  local n = tonumber(ARGV[i])
  local list = {}
  for k = 1, n do list[k] = ARGV[i + k] end
  return list, i + n + 1
end

-- History: entries in one hash; ids by id in history:all and per schedule; per job in the
-- job's own \`history_ids\` field (no key per job), kept in history:job:{id} only when a
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

-- Appends one attempt. \`attempt_json\` is the attempt half, built by the caller. Returns the
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

-- Deletes a job and its index entries. History stays unless \`with_history\` (retention).
local function delete_job(id, with_history)
  flush_writes()
  local j = load_job(id)
  if not j then return false end
  place(id, j, false)
  zrem(K['jobs'], id)
  zrem(queue_idx(j.queue), id)
  zrem(target_idx(j.target), id)
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

local function set_schedule_status(sid, status, now)
  redis.call('HSET', schedule_key(sid), 'status', status, 'updated_at', now)
  if status == 'completed' or status == 'expired' or status == 'failed' then
    redis.call('ZADD', K['schedules:finished'], now, sid)
  else
    redis.call('ZREM', K['schedules:finished'], sid)
  end
end

-- When a schedule's last occurrence ends, the schedule ends with it. Mirrors
-- finishedScheduleStatus (src/store/schedule-end.ts).
local function finish_schedule_if_done(sid, last_status, now)
  local s = redis.call('HMGET', schedule_key(sid), 'status', 'next_run_at', 'recurrence', 'repeats', 'fire_count', 'expires_at')
  if s[1] ~= 'active' or s[2] then return end
  if redis.call('SCARD', open_key(sid)) > 0 then return end
  local status = 'completed'
  if last_status == 'failed' or last_status == 'timeout' then
    status = 'failed'
  else
    local repeats_left = (not s[4]) or tonumber(s[5]) < tonumber(s[4])
    if cjson.decode(s[3]).kind ~= 'once' and s[6] and repeats_left then status = 'expired' end
  end
  set_schedule_status(sid, status, now)
end

local function waiting_ids(sid)
  local ids = {}
  for _, id in ipairs(redis.call('SMEMBERS', open_key(sid))) do
    if WAITING[redis.call('HGET', job_key(id), 'status')] then ids[id] = true end
  end
  return ids
end

-- Deletes a schedule's waiting occurrences (running ones finish).
local function delete_waiting_jobs(sid)
  for id in pairs(waiting_ids(sid)) do delete_job(id, false) end
end

local function delete_schedule(sid)
  local sk = schedule_key(sid)
  local s = redis.call('HMGET', sk, 'name', 'target')
  if s[2] == 'callback' and redis.call('HGET', K['names'], s[1]) == sid then
    redis.call('HDEL', K['names'], s[1])
    redis.call('ZREM', K['names:lex'], s[1])
  end
  redis.call('ZREM', K['schedules'], sid)
  redis.call('ZREM', K['schedules:finished'], sid)
  redis.call('DEL', sk)
end

-- Advance markers: "this occurrence fired; its schedule still has to move past it".
local function split_marker(m)
  return string.match(m, '^(.*)|([^|]*)$')
end

local function mark_advance(sid, occurrence, queue, task, deadline, rev, force)
  local m = sid .. '|' .. occurrence
  redis.call('ZADD', advance_key(queue), deadline, m)
  redis.call('HSETNX', K['advance'], m, cjson.encode({ rev = rev, force = force, queue = queue, task = task }))
  return m
end
`;

/** A script: the prelude, then its body. */
export function script(body: string): string {
  return `${LUA_PRELUDE}\n${body}`;
}

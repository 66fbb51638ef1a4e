--[[
  reapExpiredLeases: takes back jobs whose lease ran out (their node died or hung).

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads and writes leased; writes finished,
  history, history:all, seq:history, schedules:finished.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: now; ARGV[5]: limit; ARGV[6]: '' or the
  JSON of ReapRequest.takeBack ({"owners":[...]} or {"allExcept":[...]}): leases of dead
  holders that come back before they run out (a full scan of the leased set, done at start).

  A dead lease counts as a failed attempt: the job waits again at once while its policy
  allows another attempt (max_retries absent = forever), else it fails; a cancel that
  arrived meanwhile wins and ends it as cancelled. Each gets a `lease_expired` history
  entry. Returns { { id, previous owner or '', status }, ... } then the due signals.
]]
--- @include "prelude/base"
--- @include "prelude/writes"
--- @include "prelude/jobs"
--- @include "prelude/signals"
--- @include "prelude/history"
--- @include "prelude/schedule-end"

local now, limit = ARGV[4], tonumber(ARGV[5])
local reaped = {}
local expired = redis.call('ZRANGEBYSCORE', K['leased'], '-inf', '(' .. now, 'LIMIT', 0, limit)
if ARGV[6] ~= '' and #expired < limit then
  local take_back = cjson.decode(ARGV[6])
  local listed = {}
  for _, owner in ipairs(take_back.owners or take_back.allExcept) do listed[owner] = true end
  local all_but = take_back.allExcept ~= nil
  local seen = {}
  for _, id in ipairs(expired) do seen[id] = true end
  for _, id in ipairs(redis.call('ZRANGEBYSCORE', K['leased'], now, '+inf')) do
    if #expired >= limit then break end
    local owner = redis.call('HGET', job_key(id), 'lease_owner') or ''
    if not seen[id] and ((listed[owner] == true) ~= all_but) then expired[#expired + 1] = id end
  end
end
reserve_history_ids(#expired)
for _, id in ipairs(expired) do
  local j = load_job(id)
  if not j then
    zrem(K['leased'], id)
  else
    local owner = j.lease_owner
    local retry = (not j.max_retries) or tonumber(j.attempts) <= tonumber(j.max_retries)
    local status = 'failed'
    if j.cancel_requested == '1' then status = 'cancelled' elseif retry then status = 'pending' end
    local message = 'lease held by ' .. (owner or 'null') .. ' expired'
    local fired_at = j.started_at or now
    local attempt = '{"outcome":"lease_expired","firedAt":' .. fired_at .. ',"durationMs":' ..
      fmt(tonumber(now) - tonumber(fired_at)) .. ',"httpStatus":null,"error":' .. cjson.encode(message) .. '}'
    transition(id, j, status, {
      run_at = now,
      lease_owner = false,
      lease_until = false,
      completed_at = status ~= 'pending' and now,
      error = cjson.encode({ message = message, type = 'LeaseExpired', traceback = cjson.null }),
      history_ids = add_history(id, j, attempt),
    })
    if status == 'pending' then
      signal(j.target, j.queue, now)
    elseif j.schedule_id then
      finish_schedule_if_done(j.schedule_id, status, now)
    end
    reaped[#reaped + 1] = { id, owner or '', status }
  end
end
return { reaped, finish() }

--[[
  listJobs (read only): every filter and order of JobQuery, with an exact total.

  KEYS: the global keys (keys.ts GLOBAL_KEYS); reads jobs and the idx:* sets.
  ARGV[1..3]: prefix, due channel, origin. ARGV[4]: JSON query: statuses, queue,
  scheduleId, target, dialect (indexed); name, priority (rank), workerId, tags (filtered); order
  (a hash field), desc, limit, offset; after (keyset paging: { value, tie }, rows strictly
  after that sort value and job id; an absent value is NULL); count (false: no total needed).

  Cost, honestly: the indexed filters are zsets of job ids by created_at (idx:status:*,
  idx:queue:*, idx:dialect:*, idx:schedule:*; every dialect's when none applies: they hold
  every job between them). The target has no index of its own (layout 6): a task job is
  always a v1 one, so `target` reads the v1 index (task) or every dialect's (callback) and
  checks each candidate's field; only the dead letters, below, ask for it through the API.
  Reserved and running jobs have no status zset: `leased` holds both, by lease end, so a
  status filter naming either reads `leased` (the jobs in flight, which workers' concurrency
  bounds) with the scan below. The dead letters (target callback, statuses exactly failed and
  timeout) are one index, `dead-letters`, scored by completed_at, their list's order (layout 5;
  before it their page scanned and sorted every one: 0.6-0.9 s held at 100,000).
  - One index (or none), no other filter, ordered as it is scored: O(log n + offset + limit),
    with the total from ZCARD; several statuses merge their first offset + limit entries.
    This is the dashboard's and the API's default listing.
  - Other filters, ordered as the driving key is scored, with one key driving (the smallest applicable
    index; not a union of statuses, nor `leased`, which is by lease end): the driver is walked
    in page order, reading a few fields of each candidate, and the walk stops at the page's
    last match: O(offset + limit) where most candidates match. Where few do, and every filter
    is one exact index, a walk that finds no page within 2,000 candidates takes the page from
    the indexes' intersection (ZINTERCARD, then ZINTER when it has under 10,000 members), in C:
    the failed v1 jobs beside 90,000 failed callbacks held Redis 0.28 s walked, 0.02 s so.
    Otherwise O(c) for c candidates. The total (unless `count` is false) is ZINTERCARD of the
    indexes when every filter is one index, O(c) in C (1,000,000 by 1,000,000 in about
    0.25 s); else a count of the matches over every candidate.
  - Anything else scans the smallest applicable index (a union over the statuses asked
    for), reading a few fields of each candidate: O(c) for c candidates, plus
    O(m log m) to order the m matches. With 1,000,000 candidates that held Redis for 24 s,
    past its busy-script limit, when it served the created_at order too. Retention keeps the
    finished sets bounded.
  - With `after`, the default listing starts at the cursor's score (ZRANGEBYSCORE), so a deep
    page costs what the first does, plus the jobs created in the same millisecond as the
    cursor's that precede it; the scan path still reads every candidate.
  Returns { total, job HGETALL, ... }.
]]
--- @include "prelude/base"
--- @include "prelude/tables"

local q = cjson.decode(ARGV[4])
local groups = {}
-- `loose`: the keys hold more than the filter matches: a group that drives the list is then
-- checked per candidate too, on the scan path. `order`: the field the keys are scored by
-- (created_at unless given). `callback`: the keys hold callback jobs only, so the group
-- stands for the target filter too.
local function group(keys, field, values, loose, order, callback)
  groups[#groups + 1] = { keys = keys, field = field, values = values, loose = loose, order = order or 'created_at', callback = callback }
end
-- Exactly the dead letters (callback jobs failed or timed out) have an index of their own, by
-- completed_at, their list's order (layout 5).
local dead_letters = q.target == 'callback' and q.statuses and #q.statuses > 0
if dead_letters then
  local asked = {}
  for _, s in ipairs(q.statuses) do
    if not DEAD[s] then dead_letters = false end
    asked[s] = true
  end
  for s in pairs(DEAD) do if not asked[s] then dead_letters = false end end
end
if dead_letters then
  group({ K['dead-letters'] }, 'status', DEAD, false, 'completed_at', true)
elseif q.statuses and #q.statuses > 0 then
  local keys, values, leased = {}, {}, false
  for _, s in ipairs(q.statuses) do
    values[s] = true
    if not LEASED[s] then keys[#keys + 1] = status_idx(s)
    elseif not leased then keys[#keys + 1] = K['leased']; leased = true end
  end
  -- `leased` is scored by lease end: no page order is, so such a group never drives a walk.
  group(keys, 'status', values, leased, leased and 'lease_until' or nil)
end
if q.queue then group({ queue_idx(q.queue) }, 'queue', { [q.queue] = true }) end
if q.scheduleId then group({ schedule_idx(q.scheduleId) }, 'schedule_id', { [q.scheduleId] = true }) end
if q.target and not dead_letters then
  group(q.target == 'task' and { dialect_idx('v1') } or all_dialect_idxs(), 'target', { [q.target] = true }, true)
end
if q.dialect then
  -- A hash may still hold `seed`, the old name of `envelope` (rows.ts dialectOf).
  group({ dialect_idx(q.dialect) }, 'dialect', { [q.dialect] = true, seed = q.dialect == 'envelope' or nil })
end
if #groups == 0 then group(all_dialect_idxs(), nil, nil) end

local best, best_size = 1, nil
for gi, g in ipairs(groups) do
  local n = 0
  for _, k in ipairs(g.keys) do n = n + redis.call('ZCARD', k) end
  if not best_size or n < best_size then best, best_size = gi, n end
end
local driver = groups[best]

local checks = {}
-- The other groups' keys, while every check is membership of one exact index (else nil): the
-- matches are then the intersection of the driver with them, which ZINTERCARD counts in C.
local intersect = (not driver.loose and #driver.keys == 1) and {} or nil
for gi, g in ipairs(groups) do
  if gi ~= best or g.loose then
    checks[#checks + 1] = { g.field, g.values }
    if g.callback then checks[#checks + 1] = { 'target', { callback = true } } end
    if intersect and #g.keys == 1 and not g.loose then intersect[#intersect + 1] = g.keys[1] else intersect = nil end
  end
end
if q.name then checks[#checks + 1] = { 'name', { [q.name] = true } } end
if q.priority then checks[#checks + 1] = { 'priority', { [q.priority] = true } } end
if q.workerId then checks[#checks + 1] = { 'worker_id', { [q.workerId] = true } } end
local tags = (q.tags and #q.tags > 0) and q.tags or nil
-- `envelope` also matches hashes that still say `seed`, which its index may not hold.
if q.name or q.priority or q.workerId or tags or q.dialect == 'envelope' then intersect = nil end

local after = q.after
-- Whether job `id` comes after job `tie` when both have the same sort value, in the list's direction.
local function id_after(id, tie)
  if q.desc then return bytes_less(id, tie) end
  return bytes_less(tie, id)
end

-- Page order of { id, score } entries: by score, then by id, both in the query's direction.
local function in_page_order(a, b)
  if a[2] ~= b[2] then
    if q.desc then return a[2] > b[2] end
    return a[2] < b[2]
  end
  return id_after(b[1], a[1])
end

-- Up to `want` entries { id, score } of one created_at index strictly after the cursor.
local function entries_after(key, want)
  local out, start = {}, 0
  local from = string.format('%.17g', after.value)
  local cmd, to = 'ZRANGEBYSCORE', '+inf'
  if q.desc then cmd, to = 'ZREVRANGEBYSCORE', '-inf' end
  while #out < want do
    local r = redis.call(cmd, key, from, to, 'WITHSCORES', 'LIMIT', start, want)
    for k = 1, #r, 2 do
      local id, score = r[k], tonumber(r[k + 1])
      if score ~= after.value or id_after(id, after.tie) then
        out[#out + 1] = { id, score }
        if #out == want then break end
      end
    end
    if #r < want * 2 then break end
    start = start + want
  end
  return out
end

-- The fields a candidate's checks read, then the order field; and whether job `v` (their
-- values, from HMGET) passes every check.
local fields = {}
for _, c in ipairs(checks) do fields[#fields + 1] = c[1] end
local tags_at = 0
if tags then fields[#fields + 1] = 'tags'; tags_at = #fields end
fields[#fields + 1] = q.order
local order_at = #fields
local function passes(v)
  for ci, c in ipairs(checks) do
    if not (v[ci] and c[2][v[ci]]) then return false end
  end
  if tags then
    local have = {}
    for _, t in ipairs(cjson.decode(v[tags_at] or '[]')) do have[t] = true end
    for _, t in ipairs(tags) do if not have[t] then return false end end
  end
  return true
end

-- Calls visit(id) for each entry of one created_at index in page order (after the cursor, if
-- any), 500 at a time, until it returns true.
local function walk_in_order(key, visit)
  local chunk, start = 500, 0
  while true do
    local r
    if after then
      local from = string.format('%.17g', after.value)
      if q.desc then r = redis.call('ZREVRANGEBYSCORE', key, from, '-inf', 'WITHSCORES', 'LIMIT', start, chunk)
      else r = redis.call('ZRANGEBYSCORE', key, from, '+inf', 'WITHSCORES', 'LIMIT', start, chunk) end
      for k = 1, #r, 2 do
        local id, score = r[k], tonumber(r[k + 1])
        if (score ~= after.value or id_after(id, after.tie)) and visit(id) then return end
      end
      if #r < chunk * 2 then return end
    else
      r = redis.call(q.desc and 'ZREVRANGE' or 'ZRANGE', key, start, start + chunk - 1)
      for _, id in ipairs(r) do
        if visit(id) then return end
      end
      if #r < chunk then return end
    end
    start = start + chunk
  end
end

-- Candidates a walk reads before it asks for the intersection instead, and the largest
-- intersection it then reads whole.
local WALK_BUDGET, INTERSECTION_CAP = 2000, 10000

-- The first `want` ids of driver ∩ others in page order, after the cursor if any; nil when the
-- intersection has INTERSECTION_CAP members or more, or this Redis lacks ZINTERCARD/ZINTER.
-- ZINTER orders by the driver's score (WEIGHTS 1 0 ...), then by member, as the walk does.
local function intersection_page(driver_key, others, want)
  local keys = { driver_key, unpack(others) }
  local card = { 'ZINTERCARD', #keys, unpack(keys) }
  card[#card + 1] = 'LIMIT'
  card[#card + 1] = INTERSECTION_CAP
  local n = redis.pcall(unpack(card))
  if type(n) ~= 'number' or n >= INTERSECTION_CAP then return nil end
  local args = { 'ZINTER', #keys, unpack(keys) }
  args[#args + 1] = 'WEIGHTS'
  for k = 1, #keys do args[#args + 1] = k == 1 and 1 or 0 end
  args[#args + 1] = 'WITHSCORES'
  local r = redis.pcall(unpack(args))
  if type(r) ~= 'table' or r.err then return nil end
  -- A cursor's entry and those before it in the page's direction are not on the page.
  local function beyond_cursor(id, score)
    if not after then return true end
    if score == after.value then return id_after(id, after.tie) end
    if q.desc then return score < after.value end
    return score > after.value
  end
  local page = {}
  local first, last, step = 1, #r - 1, 2
  if q.desc then first, last, step = #r - 1, 1, -2 end
  for k = first, last, step do
    local id, score = r[k], tonumber(r[k + 1])
    if beyond_cursor(id, score) then
      page[#page + 1] = id
      if #page == want then break end
    end
  end
  return page
end

local ids, total = {}, 0
if #checks == 0 and not tags and q.order == driver.order then
  total = best_size
  local stop = q.offset + q.limit - 1
  local range = q.desc and 'ZREVRANGE' or 'ZRANGE'
  if q.limit <= 0 then
    ids = {}
  elseif after then
    local merged = {}
    for _, key in ipairs(driver.keys) do
      for _, e in ipairs(entries_after(key, stop + 1)) do merged[#merged + 1] = e end
    end
    table.sort(merged, in_page_order)
    for k = q.offset + 1, math.min(stop + 1, #merged) do ids[#ids + 1] = merged[k][1] end
  elseif #driver.keys == 1 then
    ids = redis.call(range, driver.keys[1], q.offset, stop)
  else
    -- Statuses, and dialects, are disjoint: the page lies within each key's first offset + limit entries.
    local merged = {}
    for _, key in ipairs(driver.keys) do
      local r = redis.call(range, key, 0, stop, 'WITHSCORES')
      for k = 1, #r, 2 do merged[#merged + 1] = { r[k], tonumber(r[k + 1]) } end
    end
    table.sort(merged, in_page_order)
    for k = q.offset + 1, math.min(stop + 1, #merged) do ids[#ids + 1] = merged[k][1] end
  end
elseif q.order == driver.order and #driver.keys == 1 and (not after or after.value ~= nil) then
  -- The driver is ordered as the page is: walk it and stop at the page's last match, instead of
  -- reading, collecting and sorting every candidate (a queue's v1 page beside 1,000,000 v1 jobs
  -- held Redis 24 s that way: docs/benchmarks.md, "Redis: a filtered list walked in order, the
  -- stats counted in Lua").
  local want = q.offset + q.limit
  local function walk(budget)
    local found, walked, cut = 0, 0, false
    ids = {}
    walk_in_order(driver.keys[1], function(id)
      if budget and walked >= budget then cut = true; return true end
      walked = walked + 1
      if not passes(redis.call('HMGET', job_key(id), unpack(fields))) then return false end
      found = found + 1
      if found > q.offset then ids[#ids + 1] = id end
      return found >= want
    end)
    return not cut
  end
  -- Few matches among many candidates (the failed v1 jobs beside 90,000 failed callbacks) would
  -- make the walk read every candidate: 0.2 s of Redis held. When every filter is one exact index,
  -- a walk that finds no page within its budget asks Redis for the intersection instead, in C,
  -- if it is small; else (10,000 matches or more) it walks again without a budget, as before,
  -- reading the first 2,000 candidates twice.
  if q.limit > 0 and not walk(intersect and WALK_BUDGET or nil) then
    local page = intersect and intersection_page(driver.keys[1], intersect, want)
    if page then
      ids = {}
      for k = q.offset + 1, math.min(want, #page) do ids[#ids + 1] = page[k] end
    else
      walk(nil)
    end
  end
  -- ZINTERCARD is Redis 7's; before it, pcall returns an error and the matches are counted.
  local counted = (q.count ~= false and intersect) and redis.pcall('ZINTERCARD', 1 + #intersect, driver.keys[1], unpack(intersect)) or nil
  if q.count == false then
    total = 0
  elseif type(counted) == 'number' then
    total = counted
  else
    local start = 0
    while true do
      local chunk = redis.call('ZRANGE', driver.keys[1], start, start + 999)
      for _, id in ipairs(chunk) do
        if passes(redis.call('HMGET', job_key(id), unpack(fields))) then total = total + 1 end
      end
      if #chunk < 1000 then break end
      start = start + 1000
    end
  end
else
  local numeric = q.order ~= 'status'
  local matches = {}
  for _, key in ipairs(driver.keys) do
    local start = 0
    while true do
      local chunk = redis.call('ZRANGE', key, start, start + 999)
      for _, id in ipairs(chunk) do
        local v = redis.call('HMGET', job_key(id), unpack(fields))
        if passes(v) then
          local sort_value = v[order_at]
          if numeric then sort_value = sort_value and tonumber(sort_value) or -math.huge end
          matches[#matches + 1] = { id, sort_value }
        end
      end
      if #chunk < 1000 then break end
      start = start + 1000
    end
  end
  total = #matches
  -- SQLite's order: the field (NULL first ascending), then id; byte order for text.
  local function less(a, b)
    if a[2] ~= b[2] then
      if numeric then return a[2] < b[2] end
      return bytes_less(a[2], b[2])
    end
    return bytes_less(a[1], b[1])
  end
  local function before(a, b) if q.desc then return less(b, a) end return less(a, b) end
  table.sort(matches, before)
  local first = 1
  if after then
    local value = after.value
    if numeric then value = value and tonumber(value) or -math.huge end
    local cursor = { after.tie, value }
    while first <= #matches and not before(cursor, matches[first]) do first = first + 1 end
  end
  for k = first + q.offset, math.min(first + q.offset + q.limit - 1, #matches) do ids[#ids + 1] = matches[k][1] end
end
local out = { total }
for _, id in ipairs(ids) do out[#out + 1] = redis.call('HGETALL', job_key(id)) end
return out

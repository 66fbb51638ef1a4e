--[[
  prelude/schedule-names: the index of `/api/v1` schedule names (v1-names, keys.ts), which
  keeps a v1 schedule's name unique among v1 schedules: a create or rename checks it and
  writes it in one script, so two nodes creating one name at once cannot both pass.

  One member per schedule, "name NUL id", rather than a name → id hash: the migration that
  builds the index (migrations/002) may meet duplicates older versions let in, and each of
  them stays indexed until it is deleted. Names hold no control characters (the API refuses
  them), so the members of one name are exactly the lex range [name NUL, name \1).
]]
--- @include "prelude/base"

local function v1_name_member(name, sid) return name .. '\0' .. sid end

-- A v1 schedule other than `sid` that has this name, or nil.
local function v1_name_holder(name, sid)
  local members = redis.call('ZRANGEBYLEX', K['v1-names'], '[' .. name .. '\0', '(' .. name .. '\1')
  for _, member in ipairs(members) do
    local holder = string.sub(member, #name + 2)
    if holder ~= sid and redis.call('EXISTS', schedule_key(holder)) == 1 then return holder end
  end
  return nil
end

local function index_v1_name(name, sid) redis.call('ZADD', K['v1-names'], 0, v1_name_member(name, sid)) end

local function unindex_v1_name(name, sid) redis.call('ZREM', K['v1-names'], v1_name_member(name, sid)) end

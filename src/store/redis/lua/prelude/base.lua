--[[
  prelude/base: Constants and small helpers every script may use: the common ARGV, status sets, number formatting, failing with a message template.

  Helpers shared by the scripts, one small file per concern; a script names the ones it uses
  with --- @include lines (resolved by scripts.ts, each file once, dependencies first). The
  key layout (keys.ts LUA_KEYS) comes first in every script. Conventions:
  - ARGV[1] is the prefix, ARGV[2] the due channel, ARGV[3] this store's origin id (its own
    published signals come back on its subscriber and are skipped); a script's own arguments
    start at ARGV[4].
  - Numbers travel as strings. Lua's `..` and tostring() print 14 significant digits, which
    would corrupt a far-future time (year 9999 needs 15), so computed numbers go through
    fmt(), and values read from Redis or ARGV are kept as the strings they are.
  - A script checks everything that can fail before its first write: Redis does not roll
    back a script that errors half-way.
  - Absent hash field = null. HMGET answers false for it.
  - Index writes (zadd, zrem, sadd, srem, hset_later) are queued and sent per key in one
    variadic command when the script ends (finish()). A batch of 100 claims then costs
    ~3 Redis calls per job instead of ~9: measured, the calls are most of a script's time.
    Nothing a script reads back is queued: the per-schedule `open` set, job hashes and the
    occurrence keys are written at once.
]]

local CHANNEL = ARGV[2]

local ORIGIN = ARGV[3]

local WAITING = { pending = true, retrying = true }

local LEASED = { reserved = true, running = true }

local FINAL = { completed = true, failed = true, cancelled = true, timeout = true }

-- A callback job in one of these is a dead letter (core's DEAD_LETTER_STATUSES), kept in
-- K['dead-letters'] by place() (prelude/jobs).
local DEAD = { failed = true, timeout = true }

local function fmt(x)
  if x == math.floor(x) then return string.format('%d', x) end
  return string.format('%.17g', x)
end

-- A nullable string from a fixed ARGV slot (rows.ts optional()): '' is nil, else '=' .. value.
local function opt(s)
  if s == '' then return nil end
  return string.sub(s, 2)
end

-- Fails with a message template of src/core/error-messages.ts and its parameters; the
-- store turns the reply into that error (connection.ts mapRedisError).
local function fail(message_id, params) error({ err = message_id .. ' ' .. cjson.encode(params) }) end

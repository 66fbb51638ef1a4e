--[[
  Table helpers: byte order, flat HGETALL replies to maps and back, counted ARGV lists.
]]

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

-- Reads a list from ARGV starting at i: a count, then that many strings.
local function read_pairs(i)
  local n = tonumber(ARGV[i])
  local list = {}
  for k = 1, n do list[k] = ARGV[i + k] end
  return list, i + n + 1
end

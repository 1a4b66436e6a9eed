-- Checks several keys against a cache's existence filter (Bloom filter), as filter-check.lua
-- does one.
-- KEYS[1] filter
-- ARGV[1] the number of bit offsets per key (k)
-- ARGV[2..] the keys' bit offsets, k per key, key after key
-- Returns an empty array when there is no filter, else one integer per key: 0 when a bit is clear (never
-- added), 1 when every bit is set (may exist).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return {}
end
local k = tonumber(ARGV[1])
local result = {}
for first = 2, #ARGV, k do
  local seen = 1
  for i = first, first + k - 1 do
    if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then
      seen = 0
      break
    end
  end
  result[#result + 1] = seen
end
return result

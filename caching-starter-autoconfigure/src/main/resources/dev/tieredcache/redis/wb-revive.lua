-- Replays a dead letter: makes its value the key's pending write again (as wb-write.lua),
-- unless an application write of the key came after it (a newer write-behind write, or a
-- change write.lua applied), which supersedes it, whether or not its value is still cached.
-- The record of the key's last dead letter tells: every such write deletes it, and only the
-- key's latest dead letter matches it. A load, an expiry or an eviction by tag does not.
-- KEYS[1] entry, KEYS[2] pending marker, KEYS[3] the sequence of the key's last dead
--         letter (one slot)
-- ARGV[1] the dead letter's stored bytes (its sequence, write id and envelope)
-- ARGV[2] the serialized key, ARGV[3] channel, ARGV[4] invalidation message
-- Returns 1 when pending again, 0 when superseded.
if redis.call('GET', KEYS[3]) ~= string.sub(ARGV[1], 1, 17) then
  return 0
end
redis.call('DEL', KEYS[3])
local last = tonumber(redis.call('GETRANGE', KEYS[1], 0, 16)) or 0
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SETRANGE', KEYS[1], 0, string.format('%017.0f', math.max(now, last + 1)))
redis.call('HSET', KEYS[2], 'k', ARGV[2], 'a', '0')
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1

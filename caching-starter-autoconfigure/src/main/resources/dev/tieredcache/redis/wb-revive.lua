-- Replays a dead letter: makes its value the key's pending write again (as wb-write.lua),
-- unless the key holds a value an application write stored after it (a newer value,
-- pending or flushed), which supersedes it. A value stored by a load (write id zero), a
-- tombstone or nothing does not.
-- KEYS[1] entry, KEYS[2] pending marker (one slot)
-- ARGV[1] the dead letter's stored bytes (its sequence, write id and envelope)
-- ARGV[2] the serialized key, ARGV[3] channel, ARGV[4] invalidation message
-- Returns 1 when pending again, 0 when superseded.
local current = redis.call('GETRANGE', KEYS[1], 0, 16)
local last = tonumber(current) or 0
if redis.call('STRLEN', KEYS[1]) > 25 and last > (tonumber(string.sub(ARGV[1], 1, 17)) or 0)
    and redis.call('GETRANGE', KEYS[1], 17, 24) ~= string.rep('\0', 8) then
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SETRANGE', KEYS[1], 0, string.format('%017.0f', math.max(now, last + 1)))
redis.call('HSET', KEYS[2], 'k', ARGV[2], 'a', '0')
redis.call('PUBLISH', ARGV[3], ARGV[4])
return 1

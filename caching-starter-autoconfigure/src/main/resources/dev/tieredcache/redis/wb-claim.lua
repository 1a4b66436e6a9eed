-- Reserves the due pending writes of one cache for one flusher: the members of the
-- cache's index whose due time has come, pushed back by the lease so that no other
-- flusher picks them meanwhile. The reservation only spreads the work: the claim that
-- counts is the one wb-take.lua records in each key's marker.
-- KEYS[1] the cache's index (sorted set: encoded key by due time, Redis ms)
-- ARGV[1] how many at most, ARGV[2] lease ms
-- Returns the reserved encoded keys.
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local due = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
for _, member in ipairs(due) do
  redis.call('ZADD', KEYS[1], now + tonumber(ARGV[2]), member)
end
return due

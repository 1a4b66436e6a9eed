-- Renews a flusher's claim on one pending write while its flush runs, so that a flush
-- slower than the lease is not taken over by another flusher (which could reach the
-- database with a newer value before this one does). Only a claim still held by this
-- flusher is renewed: one taken over after its lease ran out stays with its new holder.
-- KEYS[1] pending marker
-- ARGV[1] the flusher's id, ARGV[2] lease ms
-- Returns 1 when renewed, 0 when nothing is pending or nobody holds it (settled),
-- -1 when another flusher holds it.
local holder = redis.call('HGET', KEYS[1], 'o')
if holder ~= ARGV[1] then
  if holder then
    return -1
  end
  return 0
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('HSET', KEYS[1], 'l', tostring(now + tonumber(ARGV[2])))
return 1

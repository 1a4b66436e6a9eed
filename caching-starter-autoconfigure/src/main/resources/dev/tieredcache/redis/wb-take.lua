-- Claims one pending write for a flusher, unless another flusher's claim is still live
-- (a claim whose lease ran out, its flusher presumably dead, is taken over).
-- KEYS[1] entry, KEYS[2] pending marker (one slot)
-- ARGV[1] the flusher's id, ARGV[2] lease ms
-- Returns {0} when nothing is pending, {1} when another flusher holds it, or
-- {2, entry, serialized key, failed attempts} when claimed, {3} when the marker's value is
-- gone and the marker was dropped.
local marker = redis.call('HMGET', KEYS[2], 'k', 'a', 'o', 'l')
if marker[1] == false then
  return {0}
end
if redis.call('STRLEN', KEYS[1]) <= 25 then
  -- The value is gone (evicted, deleted by hand): nothing can be flushed, and a marker left
  -- behind would be claimed again and again. Dropped; the caller reports it.
  redis.call('DEL', KEYS[2])
  return {3}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
if marker[3] and marker[3] ~= ARGV[1] and tonumber(marker[4] or '0') > now then
  return {1}
end
redis.call('HSET', KEYS[2], 'o', ARGV[1], 'l', tostring(now + tonumber(ARGV[2])))
return {2, redis.call('GET', KEYS[1]) or '', marker[1], tonumber(marker[2] or '0')}

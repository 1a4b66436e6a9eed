-- Writes or evicts one cache key on behalf of the application (a put, a write-through or
-- an eviction), advances the key's write sequence so that loads begun earlier cannot
-- store their older value, and publishes the invalidation after the change is applied.
-- KEYS[1] value, KEYS[2] write sequence (one hash slot)
-- ARGV[1] mode: 'set', 'nx' (only if absent) or 'del'; ARGV[2] envelope; ARGV[3] value ttl ms;
-- ARGV[4] sequence ttl ms; ARGV[5] channel; ARGV[6] invalidation message
-- Returns {1} when applied ({1|0} for 'del': whether a value was there), or {0, current}
-- when 'nx' found a value already present.
-- Atomic: the change, the sequence advance and the PUBLISH happen together, so no other
-- instance can see the message before the change.
if ARGV[1] == 'nx' then
  local current = redis.call('GET', KEYS[1])
  if current then
    return {0, current}
  end
end
if redis.call('EXISTS', KEYS[2]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[2], t[1] .. string.sub('000000' .. t[2], -6))
end
redis.call('INCR', KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[4])
local result = 1
if ARGV[1] == 'del' then
  result = redis.call('DEL', KEYS[1])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
end
redis.call('PUBLISH', ARGV[5], ARGV[6])
return {result}

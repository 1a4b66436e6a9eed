-- Ends a read-through load: stores the loaded value only if no write or eviction of the
-- key happened since the load began, releases the caller's lock and wakes waiters.
-- KEYS[1] value, KEYS[2] write sequence, KEYS[3] lock, KEYS[4] waiters flag (one hash slot)
-- ARGV[1] envelope ('' to store nothing), ARGV[2] value ttl ms, ARGV[3] sequence seen when
-- the load began, ARGV[4] lock token, ARGV[5] channel, ARGV[6] wake-up message,
-- ARGV[7] sequence ttl ms
-- Returns 1 if the value was stored, 0 if a newer write made it stale.
-- Atomic: the sequence check and the SET cannot be separated by a concurrent write.
local stored = 0
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  redis.call('PEXPIRE', KEYS[2], ARGV[7])
  stored = 1
end
if redis.call('GET', KEYS[3]) == ARGV[4] then
  redis.call('DEL', KEYS[3])
end
if redis.call('DEL', KEYS[4]) == 1 then
  redis.call('PUBLISH', ARGV[5], ARGV[6])
end
return stored

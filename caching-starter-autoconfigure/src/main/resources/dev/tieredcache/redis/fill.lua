-- Ends a read-through load: stores the loaded value only if no write or eviction of the
-- key happened since the load began, releases the caller's lock and wakes waiters.
-- KEYS[1] entry, KEYS[2] lock, KEYS[3] waiters flag, KEYS[4] back-off (one hash slot)
-- ARGV[1] the bytes to store: the sequence seen when the load began, an empty write id,
--         then the envelope ('' to store nothing), ARGV[2] value ttl ms, ARGV[3] lock token, ARGV[4] channel,
--         ARGV[5] wake-up message
-- A pending write-behind value (no TTL) is never replaced by a load.
-- Returns 1 if the value was stored, 0 if a newer write made it stale.
-- Atomic: the sequence check and the SET cannot be separated by a concurrent write. The
-- stored value keeps the load's sequence, so a replayed delete (write.lua) still treats it
-- as older than any change made after the load began.
local stored = 0
if ARGV[1] ~= '' and redis.call('GETRANGE', KEYS[1], 0, 16) == string.sub(ARGV[1], 1, 17)
    and redis.call('PTTL', KEYS[1]) ~= -1 then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  -- A load that succeeds ends any back-off (stale-if-error).
  redis.call('DEL', KEYS[4])
  stored = 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
end
if redis.call('DEL', KEYS[3]) == 1 then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return stored

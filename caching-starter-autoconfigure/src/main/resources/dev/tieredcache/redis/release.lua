-- Gives up a load lock after a failed load and wakes the waiters so one can take over.
-- KEYS[1] lock, KEYS[2] waiters flag (one hash slot)
-- ARGV[1] lock token, ARGV[2] channel, ARGV[3] wake-up message
-- Returns 1 if the caller still held the lock.
-- Atomic compare-and-delete: a lock whose lease ran out and was taken by another caller
-- is never deleted by its former holder.
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  held = 1
end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return held

-- Gives up a load lock after a failed load and wakes the waiters so one can take over.
-- When the caller serves a stale value instead (stale-if-error), it also starts or
-- doubles the key's back-off: until it ends, callers holding a stale value serve it
-- without trying the loader again.
-- KEYS[1] lock, KEYS[2] waiters flag, KEYS[3] back-off (one hash slot)
-- ARGV[1] lock token, ARGV[2] channel, ARGV[3] wake-up message, ARGV[4] first back-off ms
-- ('' for none), ARGV[5] longest back-off ms
-- Returns 1 if the caller still held the lock.
-- Atomic compare-and-delete: a lock whose lease ran out and was taken by another caller
-- is never deleted by its former holder.
local held = 0
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  held = 1
end
if ARGV[4] ~= '' then
  local failures = 0
  local backoff = redis.call('GET', KEYS[3])
  if backoff then
    failures = tonumber(string.match(backoff, '^(%d+):'))
  end
  local period = math.min(tonumber(ARGV[4]) * 2 ^ failures, tonumber(ARGV[5]))
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
  -- Kept past its end (twice the longest back-off) so the next failure doubles it.
  redis.call('SET', KEYS[3], string.format('%d:%d', failures + 1, now + period), 'PX',
    math.floor(period + 2 * tonumber(ARGV[5])))
end
if redis.call('DEL', KEYS[2]) == 1 then
  redis.call('PUBLISH', ARGV[2], ARGV[3])
end
return held

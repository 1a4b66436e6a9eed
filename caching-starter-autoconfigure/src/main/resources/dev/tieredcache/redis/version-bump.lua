-- Advances a version (of a tag, a group or a whole cache) and publishes the new value.
-- KEYS[1] version key
-- ARGV[1] version ttl ms, ARGV[2] channel, ARGV[3] message prefix (the version is appended)
-- Returns the new version, as a string.
-- A missing version starts from the server's clock in microseconds, so a version lost with
-- Redis's data comes back larger than any it had before and old entries cannot be revived.
if redis.call('EXISTS', KEYS[1]) == 0 then
  local t = redis.call('TIME')
  redis.call('SET', KEYS[1], t[1] .. string.sub('000000' .. t[2], -6))
end
redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
-- Read back as a string: Lua numbers are doubles and print large values in exponent form.
local v = redis.call('GET', KEYS[1])
redis.call('PUBLISH', ARGV[2], ARGV[3] .. v)
return v

-- Reads a version (of a tag, a group or a whole cache), creating it if it is missing.
-- KEYS[1] version key
-- ARGV[1] version ttl ms
-- Returns the version as a string.
-- A missing version starts from the server's clock in microseconds (see version-bump.lua).
local v = redis.call('GET', KEYS[1])
if v then
  return v
end
local t = redis.call('TIME')
v = t[1] .. string.sub('000000' .. t[2], -6)
if redis.call('SET', KEYS[1], v, 'NX', 'PX', ARGV[1]) then
  return v
end
return redis.call('GET', KEYS[1])

-- Reads a version (of a tag, a group or a whole cache), creating it if it is missing, and
-- keeps it alive: a version in use must not expire, or every entry of its cache, group or
-- tag would go cold on every instance at once.
-- KEYS[1] version key
-- ARGV[1] version ttl ms
-- Returns the version as a string.
-- A missing version starts from the server's clock in microseconds (see version-bump.lua),
-- so a version lost to expiry or eviction comes back larger than any it had: entries
-- recorded under the old one become misses, never stale hits.
local v = redis.call('GET', KEYS[1])
if v then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  return v
end
local t = redis.call('TIME')
v = t[1] .. string.sub('000000' .. t[2], -6)
redis.call('SET', KEYS[1], v, 'PX', ARGV[1])
return v

-- Sets when pending writes of one cache are due, by Redis's clock.
-- KEYS[1] the cache's index
-- ARGV[1] delay ms from now, ARGV[2] 'nx' to add only missing members (the sweep, a
-- write's own indexing) or 'set', then the encoded keys
-- Returns how many members were added.
local t = redis.call('TIME')
local due = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000) + tonumber(ARGV[1])
local added = 0
for i = 3, #ARGV do
  if ARGV[2] == 'nx' then
    added = added + redis.call('ZADD', KEYS[1], 'NX', due, ARGV[i])
  else
    added = added + redis.call('ZADD', KEYS[1], due, ARGV[i])
  end
end
return added

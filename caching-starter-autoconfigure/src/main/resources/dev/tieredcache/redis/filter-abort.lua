-- Abandons a rebuild: drops the new filter and releases the lock, if still the builder's.
-- KEYS[1] rebuild lock
-- KEYS[2] filter being rebuilt
-- ARGV[1] the builder's token
-- Returns 1 if it was the builder's, else 0.
if redis.call('GET', KEYS[1]) ~= ARGV[1] then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('DEL', KEYS[1])
return 1

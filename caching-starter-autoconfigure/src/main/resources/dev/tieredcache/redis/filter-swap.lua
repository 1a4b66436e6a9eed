-- Ends a rebuild: the new filter replaces the old one, atomically, and the lock is released.
-- KEYS[1] rebuild lock
-- KEYS[2] filter being rebuilt
-- KEYS[3] filter
-- ARGV[1] the builder's token
-- Returns 1, or 0 if the builder lost its lock or its filter.
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
redis.call('RENAME', KEYS[2], KEYS[3])
redis.call('PERSIST', KEYS[3])
redis.call('DEL', KEYS[1])
return 1

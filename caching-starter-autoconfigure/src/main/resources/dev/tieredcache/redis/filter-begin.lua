-- Begins a rebuild of a cache's existence filter: takes the rebuild lock and creates the
-- new filter, all bits clear, at its full size.
-- KEYS[1] rebuild lock
-- KEYS[2] filter being rebuilt
-- KEYS[3] filter
-- ARGV[1] the builder's token
-- ARGV[2] lease ms of the lock and of the new filter, renewed by every fill
-- ARGV[3] the last bit offset (m - 1)
-- ARGV[4] '1' to build only if there is no filter
-- Returns 1 when the rebuild began, 0 when another builder holds the lock, 2 when a filter
-- exists and ARGV[4] asked to build only if there is none.
if ARGV[4] == '1' and redis.call('EXISTS', KEYS[3]) == 1 then
  return 2
end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return 0
end
redis.call('DEL', KEYS[2])
redis.call('SETBIT', KEYS[2], ARGV[3], 0)
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1

-- Adds a batch of the source's keys to the filter being rebuilt, and renews the leases.
-- KEYS[1] rebuild lock
-- KEYS[2] filter being rebuilt
-- ARGV[1] the builder's token
-- ARGV[2] lease ms
-- ARGV[3..] the keys' bit offsets
-- Returns 1, or 0 if the builder lost its lock or its filter (lease run out): it stops.
if redis.call('GET', KEYS[1]) ~= ARGV[1] or redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
for i = 3, #ARGV do
  redis.call('SETBIT', KEYS[2], ARGV[i], 1)
end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('PEXPIRE', KEYS[2], ARGV[2])
return 1

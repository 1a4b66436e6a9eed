-- Adds keys to a cache's existence filter, and to the filter being rebuilt if there is one,
-- so that a key written during a rebuild is in the new filter whether or not the rebuild's
-- source saw it.
-- KEYS[1] filter
-- KEYS[2] filter being rebuilt
-- ARGV    the keys' bit offsets
-- Only filters that exist are touched: setting bits of a missing filter would create a
-- nearly empty one that rejects every other key.
-- Returns how many of the two filters took the bits.
local n = 0
for k = 1, 2 do
  if redis.call('EXISTS', KEYS[k]) == 1 then
    for i = 1, #ARGV do
      redis.call('SETBIT', KEYS[k], ARGV[i], 1)
    end
    n = n + 1
  end
end
return n

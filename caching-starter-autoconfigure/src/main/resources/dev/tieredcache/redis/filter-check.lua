-- Checks a key against a cache's existence filter (Bloom filter).
-- KEYS[1] filter
-- ARGV    the key's bit offsets
-- Returns -1 when there is no filter (never built, evicted, flushed: the caller lets every
-- key through), 0 when a bit is clear (the key was never added), 1 when every bit is set
-- (the key may exist).
if redis.call('EXISTS', KEYS[1]) == 0 then
  return -1
end
for i = 1, #ARGV do
  if redis.call('GETBIT', KEYS[1], ARGV[i]) == 0 then
    return 0
  end
end
return 1

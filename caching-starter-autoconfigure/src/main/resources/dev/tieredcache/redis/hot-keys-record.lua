-- Adds one instance's report of a cache's most read keys to the cache's shared record, a
-- sorted set of encoded keys by score, so that a starting instance knows which entries to
-- copy into its L1. Every score first decays, so keys that stopped being read sink and
-- are trimmed away; then each reported key gains its share of the instance's reads.
-- KEYS[1] the cache's record
-- ARGV[1] decay factor (0..1), ARGV[2] how many keys to keep, ARGV[3] ttl ms, then pairs
-- of share and encoded key
-- Returns the size of the record.
if redis.call('EXISTS', KEYS[1]) == 1 then
  redis.call('ZUNIONSTORE', KEYS[1], 1, KEYS[1], 'WEIGHTS', ARGV[1])
end
for i = 4, #ARGV, 2 do
  redis.call('ZINCRBY', KEYS[1], ARGV[i], ARGV[i + 1])
end
local keep = tonumber(ARGV[2])
redis.call('ZREMRANGEBYRANK', KEYS[1], 0, -(keep + 1))
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return redis.call('ZCARD', KEYS[1])

-- Records a failed flush of one pending write. If a newer value came meanwhile, it stays
-- pending with fresh attempts. Otherwise the attempt is counted and the claim given up, or,
-- when the flusher has already copied the write to the dead-letter stream, the write stops
-- being pending: the entry becomes a tombstone (the database does not hold the value, and
-- the cache must not pretend it does) and the invalidation is published.
-- KEYS[1] entry, KEYS[2] pending marker, KEYS[3] the sequence of the key's last dead
--         letter, kept until a newer write of the key supersedes it (one slot)
-- ARGV[1] the flusher's id, ARGV[2] the flushed sequence, ARGV[3] '1' to dead-letter,
-- ARGV[4] tombstone TTL ms, ARGV[5] channel, ARGV[6] invalidation message
-- Returns 0 when nothing is pending, 1 when a newer value is pending, 2 when
-- dead-lettered, 3 when the attempt was counted.
if redis.call('EXISTS', KEYS[2]) == 0 then
  return 0
end
if redis.call('GETRANGE', KEYS[1], 0, 16) ~= ARGV[2] then
  if redis.call('HGET', KEYS[2], 'o') == ARGV[1] then
    redis.call('HDEL', KEYS[2], 'o', 'l')
  end
  return 1
end
if ARGV[3] == '1' then
  redis.call('DEL', KEYS[2])
  redis.call('SET', KEYS[3], ARGV[2])
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  local last = tonumber(redis.call('GETRANGE', KEYS[1], 0, 16)) or 0
  redis.call('SET', KEYS[1], string.format('%017.0f', math.max(now, last + 1)), 'PX', ARGV[4])
  redis.call('PUBLISH', ARGV[5], ARGV[6])
  return 2
end
redis.call('HINCRBY', KEYS[2], 'a', 1)
redis.call('HDEL', KEYS[2], 'o', 'l')
return 3

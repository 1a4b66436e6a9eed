-- Acknowledges a flushed write: if the entry still holds the flushed value (same write
-- sequence), the write is no longer pending and the entry gets its normal TTL; if a newer
-- value came meanwhile, it stays pending (the flusher's claim is given up) and is flushed
-- next, so the database sees the values of a key in order and the last one last.
-- KEYS[1] entry, KEYS[2] pending marker (one slot)
-- ARGV[1] the flusher's id, ARGV[2] the flushed sequence, ARGV[3] the entry's TTL ms
-- Returns 1 when acknowledged, 0 when a newer value is pending.
if redis.call('GETRANGE', KEYS[1], 0, 16) == ARGV[2] then
  redis.call('DEL', KEYS[2])
  -- The database changed: a load begun before (by an instance that could not read the
  -- pending value) may hold the older row, and its fill must fail the sequence check.
  local t = redis.call('TIME')
  local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
  redis.call('SETRANGE', KEYS[1], 0, string.format('%017.0f', math.max(now, tonumber(ARGV[2]) + 1)))
  if redis.call('PTTL', KEYS[1]) == -1 then
    redis.call('PEXPIRE', KEYS[1], ARGV[3])
  end
  return 1
end
if redis.call('HGET', KEYS[2], 'o') == ARGV[1] then
  redis.call('HDEL', KEYS[2], 'o', 'l')
end
return 0

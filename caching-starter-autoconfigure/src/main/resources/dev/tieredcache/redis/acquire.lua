-- Starts a read-through load of one cache key: returns the key's write sequence and,
-- when locking is asked for, takes the load lock.
-- KEYS[1] lock, KEYS[2] write sequence, KEYS[3] waiters flag (one hash slot: {cache@epoch:key})
-- ARGV[1] lock token, ARGV[2] lease ms, ARGV[3] sequence ttl ms, ARGV[4] '1' to lock, '0' not to
-- Returns {acquired 1|0, sequence, remaining lease ms of the holder}.
-- Atomic: the sequence read and the lock are taken together, so a write that lands after
-- this call changes the sequence the load will be checked against.
local seq = redis.call('GET', KEYS[2])
if not seq then
  local t = redis.call('TIME')
  seq = t[1] .. string.sub('000000' .. t[2], -6)
  redis.call('SET', KEYS[2], seq, 'PX', ARGV[3])
end
if ARGV[4] == '0' or redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, seq, 0}
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return {0, seq, redis.call('PTTL', KEYS[1])}

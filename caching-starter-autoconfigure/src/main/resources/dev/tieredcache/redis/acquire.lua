-- Starts a read-through load of one cache key: returns the entry's write sequence and,
-- when locking is asked for, takes the load lock.
-- KEYS[1] entry, KEYS[2] lock, KEYS[3] waiters flag, KEYS[4] back-off, KEYS[5] pending
-- write-behind marker (one hash slot: {cache@key})
-- ARGV[1] lock token, ARGV[2] lease ms, ARGV[3] '1' to lock, '0' not to, ARGV[4] ttl ms of
-- the tombstone created when the entry is absent, ARGV[5] '1' to get the entry back instead
-- of the lock when it holds a value (the caller saw none: one was stored meanwhile),
-- ARGV[6] '1' when the caller holds a stale value it may serve if loads fail (stale-if-error),
-- ARGV[7] '0' not to return a pending write-behind value (the caller could not read it)
-- Returns {acquired 1|0, sequence, remaining lease ms of the holder[, the entry]}, or
-- {2, sequence, 0} when loads of the key back off after failures and the caller has a
-- stale value to serve instead, or {3, sequence, 0, the entry} when the entry is a pending
-- write-behind value (its marker exists, see wb-write.lua): the value the database is about to get,
-- served whatever the versions it was made under (a clear since then does not hide it), so
-- that no load reads the older row it replaces.
-- Atomic: the sequence read and the lock are taken together, so a write that lands after
-- this call changes the sequence the load will be checked against. An absent entry gets a
-- tombstone carrying a fresh sequence, for the same reason.
local seq = redis.call('GETRANGE', KEYS[1], 0, 16)
if seq == '' then
  local t = redis.call('TIME')
  seq = string.format('%017.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
  redis.call('SET', KEYS[1], seq, 'PX', ARGV[4])
end
if redis.call('STRLEN', KEYS[1]) > 25 then
  if ARGV[7] ~= '0' and redis.call('EXISTS', KEYS[5]) == 1 then
    return {3, seq, 0, redis.call('GET', KEYS[1])}
  end
  if ARGV[5] == '1' then
    return {0, seq, 0, redis.call('GET', KEYS[1])}
  end
end
if ARGV[6] == '1' then
  local backoff = redis.call('GET', KEYS[4])
  if backoff then
    local t = redis.call('TIME')
    local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
    if now < tonumber(string.match(backoff, ':(%d+)$')) then
      return {2, seq, 0}
    end
  end
end
if ARGV[3] == '0' or redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  return {1, seq, 0}
end
redis.call('SET', KEYS[3], '1', 'PX', ARGV[2])
return {0, seq, redis.call('PTTL', KEYS[2])}

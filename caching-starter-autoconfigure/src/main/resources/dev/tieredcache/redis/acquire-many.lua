-- Starts a batch read-through load of several cache keys: for each, returns its write
-- sequence and, when locking is asked for, takes its load lock. acquire.lua, once per key.
-- KEYS: for each key, four keys in one hash slot: entry, lock, waiters flag, pending
--       write-behind marker ({cache:key}); on a cluster every key of one call shares a slot
-- ARGV[1] lock token (one per batch), ARGV[2] lease ms, ARGV[3] '1' to lock, '0' not to,
-- ARGV[4] ttl ms of the tombstone created when an entry is absent, ARGV[5] one digit per
-- key: 1 set when the caller saw no value for it (a value stored since then is left for the
-- caller to read instead of being locked and loaded again), 2 set when the caller could not
-- read its pending write-behind value (not returned again)
-- Returns, for each key in order, three items: acquired 1|0, sequence, remaining lease ms
-- of the holder (0 when acquired, -1 when a value stored meanwhile is there to read, -2
-- when the entry is a pending write-behind value, to read whatever its versions: see
-- acquire.lua).
-- Atomic: for every key, the sequence read and the lock are taken together, so a write
-- that lands after this call changes the sequence its load will be checked against; an
-- absent entry gets a tombstone with a fresh sequence for the same reason. One call instead
-- of one per key: a batch costs one round trip per slot.
local out = {}
local t = redis.call('TIME')
local fresh = string.format('%017.0f', tonumber(t[1]) * 1000000 + tonumber(t[2]))
for i = 1, #KEYS, 4 do
  local seq = redis.call('GETRANGE', KEYS[i], 0, 16)
  if seq == '' then
    seq = fresh
    redis.call('SET', KEYS[i], seq, 'PX', ARGV[4])
  end
  local k = (i + 3) / 4
  local held = redis.call('STRLEN', KEYS[i]) > 25
  local flags = tonumber(string.sub(ARGV[5] or '', k, k)) or 0
  if held and flags < 2 and redis.call('EXISTS', KEYS[i + 3]) == 1 then
    out[#out + 1] = 0
    out[#out + 1] = seq
    out[#out + 1] = -2
  elseif held and flags % 2 == 1 then
    out[#out + 1] = 0
    out[#out + 1] = seq
    out[#out + 1] = -1
  elseif ARGV[3] == '0' or redis.call('SET', KEYS[i + 1], ARGV[1], 'NX', 'PX', ARGV[2]) then
    out[#out + 1] = 1
    out[#out + 1] = seq
    out[#out + 1] = 0
  else
    redis.call('SET', KEYS[i + 2], '1', 'PX', ARGV[2])
    out[#out + 1] = 0
    out[#out + 1] = seq
    out[#out + 1] = redis.call('PTTL', KEYS[i + 1])
  end
end
return out

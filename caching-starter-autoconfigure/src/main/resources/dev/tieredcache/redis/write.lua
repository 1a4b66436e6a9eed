-- Changes one cache entry on behalf of the application (a put, a write-through, an
-- eviction, or the replay of a change that could not reach Redis) and publishes the
-- invalidation after the change is applied.
-- KEYS[1] entry: a 17-digit write sequence, the 8-byte id of the write that stored it, then
--         the envelope; the sequence alone is a tombstone (an absent value that still
--         defeats older loads)
-- KEYS[2] the key's pending write-behind marker, KEYS[3] the sequence of the key's last
--         dead-lettered write-behind write (all three in one slot)
-- ARGV[1] mode: 'set', 'nx' (only if no value is present), 'cas' (only if the sequence is
--         still ARGV[6]), 'del', or 'replay' (a delete that spares any change newer than
--         the lost one, see ARGV[6])
-- ARGV[2] the bytes to store: 17 placeholder bytes, the write id, then the envelope ('' for
--         del/replay)
-- ARGV[3] ttl ms of the value, or of the tombstone for del/replay
-- ARGV[4] channel, ARGV[5] invalidation message
-- ARGV[6] cas: the expected sequence; replay: how long ago, in microseconds, the lost
--         change was issued (measured by the caller's monotonic clock, so that no clock of
--         two machines is ever compared)
-- ARGV[7] replay: the ids of the lost writes, 8 bytes each: an entry one of them stored is
--         deleted whatever its sequence, since that write may have run late, after newer ones
-- A change that applies supersedes the key's pending write-behind value (see wb-write.lua):
-- the application wrote the database itself, after that value was written, so the value
-- must reach neither the cache nor the database any more. The marker goes and the entry
-- gets a TTL like any other. A replay spares a pending value written after the lost change,
-- as it spares any newer change. A flush of the superseded value already under way is
-- fenced by the callers (wb-take.lua), not here: its acknowledgement finds no marker.
-- ARGV[8] set/del: how long ago, in microseconds, the application's write began (its
--         method wrote the database first), or '': a pending write-behind value written since
--         then is the later write of the key, and is kept (with its marker; a writer's claim
--         on it, a fence, is given up), so the flusher still writes it after this one
-- A change that applies also supersedes a dead letter of the key written before it, so that
-- replaying the dead letter cannot put the older value back (wb-revive.lua).
-- Returns {1} when applied ({1|0} for del/replay: whether a value was there), {0, current}
-- when 'nx' found a value, {0} when 'cas' or 'replay' left the entry alone.
-- Atomic: the check, the change, the sequence advance and the PUBLISH happen together, so
-- no other instance sees the message before the change, and no load begun before the
-- change can store its older value afterwards (fill.lua compares the sequence).
local mode = ARGV[1]
local current = redis.call('GETRANGE', KEYS[1], 0, 16)
if mode == 'nx' and redis.call('STRLEN', KEYS[1]) > 25 then
  return {0, redis.call('GET', KEYS[1])}
end
if mode == 'cas' and current ~= ARGV[6] then
  return {0}
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(current) or 0
if (mode == 'set' or mode == 'del') and (ARGV[8] or '') ~= '' and last >= now - tonumber(ARGV[8])
    and redis.call('EXISTS', KEYS[2]) == 1 then
  local holder = redis.call('HGET', KEYS[2], 'o')
  if holder and string.sub(holder, 1, 7) == 'writer-' then
    redis.call('HDEL', KEYS[2], 'o', 'l')
  end
  redis.call('PUBLISH', ARGV[4], ARGV[5])
  return {0}
end
if mode == 'replay' and last >= now - tonumber(ARGV[6]) then
  local writer = redis.call('GETRANGE', KEYS[1], 17, 24)
  local lost = false
  for i = 1, string.len(ARGV[7]), 8 do
    if string.sub(ARGV[7], i, i + 7) == writer then
      lost = true
    end
  end
  if not lost then
    -- A change newer than the lost one is in place: keep it; other instances still drop
    -- whatever they held from before the lost change.
    redis.call('PUBLISH', ARGV[4], ARGV[5])
    return {0}
  end
end
local seq = string.format('%017.0f', math.max(now, last + 1))
redis.call('DEL', KEYS[2])
local dead = tonumber(redis.call('GET', KEYS[3]) or '')
if dead and (mode ~= 'replay' or now - tonumber(ARGV[6]) > dead) then
  redis.call('DEL', KEYS[3])
end
local result = 1
if mode == 'del' or mode == 'replay' then
  if redis.call('STRLEN', KEYS[1]) <= 25 then
    result = 0
  end
  redis.call('SET', KEYS[1], seq, 'PX', ARGV[3])
else
  redis.call('SET', KEYS[1], ARGV[2], 'PX', ARGV[3])
  redis.call('SETRANGE', KEYS[1], 0, seq)
end
redis.call('PUBLISH', ARGV[4], ARGV[5])
return {result}

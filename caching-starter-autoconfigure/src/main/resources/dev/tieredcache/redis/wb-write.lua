-- A @WriteBehind call: stores the value as write.lua 'set' does (new write sequence, the
-- invalidation published after the change) but without TTL, and records the write as
-- pending, both at once. A pending value never expires; write.lua and the fills spare it.
-- KEYS[1] entry, KEYS[2] pending marker (hash: 'k' the serialized key, 'a' failed
--         attempts, 'o' and 'l' the flusher holding it and until when, Redis ms), KEYS[3]
--         the sequence of the key's last dead letter, which this newer write supersedes;
--         one slot
-- ARGV[1] the bytes to store: 17 placeholder bytes, the write id, then the envelope
-- ARGV[2] the serialized key, ARGV[3] channel, ARGV[4] invalidation message
-- Returns {coalesced 1|0, sequence}: coalesced when an earlier pending value of the key,
-- not being flushed, is replaced (the database will see only this one).
-- Atomic: the entry and its marker cannot be seen apart; no TTL on either, so neither
-- expires before the flusher acknowledges the write (wb-ack.lua).
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local last = tonumber(redis.call('GETRANGE', KEYS[1], 0, 16)) or 0
local seq = string.format('%017.0f', math.max(now, last + 1))
local coalesced = 0
if redis.call('EXISTS', KEYS[2]) == 1 then
  local lease = tonumber(redis.call('HGET', KEYS[2], 'l') or '0')
  if lease < math.floor(now / 1000) then
    coalesced = 1
  end
end
redis.call('SET', KEYS[1], ARGV[1])
redis.call('SETRANGE', KEYS[1], 0, seq)
-- A new value gets fresh attempts; a flusher holding the key keeps its claim.
redis.call('HSET', KEYS[2], 'k', ARGV[2], 'a', '0')
redis.call('DEL', KEYS[3])
redis.call('PUBLISH', ARGV[3], ARGV[4])
return {coalesced, seq}

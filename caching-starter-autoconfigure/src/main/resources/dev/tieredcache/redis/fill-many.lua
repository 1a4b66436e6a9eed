-- Ends a batch read-through load: for each key, stores the loaded value only if no write
-- or eviction of that key happened since its load began, releases the caller's lock and
-- wakes the key's waiters. fill.lua, once per key.
-- KEYS: for each key, three keys in one hash slot: entry, lock, waiters flag
--       ({cache:key}); on a cluster every key of one call shares a slot
-- ARGV[1] lock token, ARGV[2] channel, then for each key in order three items: the bytes to
--         store (the sequence seen when its load began, then the envelope; '' to store
--         nothing and only release), value ttl ms, wake-up message
-- A pending write-behind value (no TTL) is never replaced by a load.
-- Returns, for each key in order, 1 if its value was stored, 0 if not (nothing to store,
-- or a newer write made it stale).
-- Atomic: every key's sequence check and SET happen with no write in between, each key
-- guarded by its own sequence; a stale key does not stop the others from being stored.
local out = {}
for i = 1, #KEYS, 3 do
  local a = i + 2
  local stored = 0
  local bytes = ARGV[a]
  if bytes ~= '' and redis.call('GETRANGE', KEYS[i], 0, 16) == string.sub(bytes, 1, 17)
      and redis.call('PTTL', KEYS[i]) ~= -1 then
    redis.call('SET', KEYS[i], bytes, 'PX', ARGV[a + 1])
    stored = 1
  end
  if redis.call('GET', KEYS[i + 1]) == ARGV[1] then
    redis.call('DEL', KEYS[i + 1])
  end
  if redis.call('DEL', KEYS[i + 2]) == 1 then
    redis.call('PUBLISH', ARGV[2], ARGV[a + 2])
  end
  out[#out + 1] = stored
end
return out

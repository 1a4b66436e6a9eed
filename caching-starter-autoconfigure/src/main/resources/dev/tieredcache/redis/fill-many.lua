-- Ends a batch read-through load: for each key, stores the loaded value only if no write
-- or eviction of that key happened since its load began, releases the caller's lock and
-- wakes the key's waiters. fill.lua, once per key.
-- KEYS: for each key, four keys in one hash slot: entry, lock, waiters flag, the variant of
--       the loader's schema ({cache:key}); on a cluster every key of one call shares a slot
-- ARGV[1] lock token, ARGV[2] channel, ARGV[3] the loader's schema id (8 bytes; '' for
--         none), then for each key in order three items: the bytes to store (the sequence
--         seen when its load began, then the envelope; '' to store nothing and only
--         release), value ttl ms, wake-up message
-- A pending write-behind value (no TTL) is never replaced by a load; a value written in
-- another schema is kept, the load going to the variant (see fill.lua).
-- Returns, for each key in order, 1 if its value was stored, 0 if not (nothing to store,
-- or a newer write made it stale).
-- Atomic: every key's sequence check and SET happen with no write in between, each key
-- guarded by its own sequence; a stale key does not stop the others from being stored.
local out = {}
local schema = ARGV[3]
for i = 1, #KEYS, 4 do
  local a = 4 + 3 * (i - 1) / 4
  local stored = 0
  local bytes = ARGV[a]
  if bytes ~= '' and redis.call('GETRANGE', KEYS[i], 0, 16) == string.sub(bytes, 1, 17)
      and redis.call('PTTL', KEYS[i]) ~= -1 then
    local target = KEYS[i]
    local format = (schema ~= '' and redis.call('STRLEN', KEYS[i]) > 25) and redis.call('GETRANGE', KEYS[i], 27, 27)
    if format and ((format ~= '\4' and format ~= '\5') or redis.call('GETRANGE', KEYS[i], 29, 36) ~= schema) then
      target = KEYS[i + 3]
      if redis.call('PTTL', KEYS[i]) < tonumber(ARGV[a + 1]) then
        redis.call('PEXPIRE', KEYS[i], ARGV[a + 1])
      end
    end
    redis.call('SET', target, bytes, 'PX', ARGV[a + 1])
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

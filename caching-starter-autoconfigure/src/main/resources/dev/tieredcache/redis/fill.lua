-- Ends a read-through load: stores the loaded value only if no write or eviction of the
-- key happened since the load began, releases the caller's lock and wakes waiters.
-- KEYS[1] entry, KEYS[2] lock, KEYS[3] waiters flag, KEYS[4] back-off, KEYS[5] the variant
--         of the loader's schema (one hash slot)
-- ARGV[1] the bytes to store: the sequence seen when the load began, an empty write id,
--         then the envelope ('' to store nothing), ARGV[2] value ttl ms, ARGV[3] lock token, ARGV[4] channel,
--         ARGV[5] wake-up message, ARGV[6] the loader's schema id (8 bytes; '' for none)
-- A pending write-behind value (no TTL) is never replaced by a load.
-- Schemas: when the entry holds a value written in another schema (another version of the
-- application, during a rolling deploy), the load goes to the loader's variant instead of
-- replacing it, so that neither version's values push the other's out. The variant keeps
-- the entry's sequence, which makes it current only until the entry's next change; the
-- entry is kept at least as long. The schema id sits in the envelope (EntryCodec formats 4
-- and 5): byte 27 of the stored bytes is the format, bytes 29 to 36 the schema.
-- Returns 1 if the value was stored, 0 if a newer write made it stale.
-- Atomic: the sequence check and the SET cannot be separated by a concurrent write. The
-- stored value keeps the load's sequence, so a replayed delete (write.lua) still treats it
-- as older than any change made after the load began.
local stored = 0
local target = KEYS[1]
local schema = ARGV[6] or ''
if schema ~= '' and redis.call('STRLEN', KEYS[1]) > 25 then
  local format = redis.call('GETRANGE', KEYS[1], 27, 27)
  if (format ~= '\4' and format ~= '\5') or redis.call('GETRANGE', KEYS[1], 29, 36) ~= schema then
    target = KEYS[5]
  end
end
if ARGV[1] ~= '' and redis.call('GETRANGE', KEYS[1], 0, 16) == string.sub(ARGV[1], 1, 17)
    and redis.call('PTTL', KEYS[1]) ~= -1 then
  redis.call('SET', target, ARGV[1], 'PX', ARGV[2])
  if target ~= KEYS[1] and redis.call('PTTL', KEYS[1]) < tonumber(ARGV[2]) then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
  end
  -- A load that succeeds ends any back-off (stale-if-error).
  redis.call('DEL', KEYS[4])
  stored = 1
end
if redis.call('GET', KEYS[2]) == ARGV[3] then
  redis.call('DEL', KEYS[2])
end
if redis.call('DEL', KEYS[3]) == 1 then
  redis.call('PUBLISH', ARGV[4], ARGV[5])
end
return stored

-- Forgets a dead letter the operator dropped: deletes the key's record of its last dead
-- letter (wb-fail.lua), which has no TTL, if that is still this one (a later dead letter or
-- a newer write of the key owns it otherwise). The stream entry itself is deleted apart:
-- it lives in the cache's own slot.
-- KEYS[1] the key's dead-letter record
-- ARGV[1] the dropped dead letter's sequence
-- Returns 1 when the record was deleted.
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  return 1
end
return 0

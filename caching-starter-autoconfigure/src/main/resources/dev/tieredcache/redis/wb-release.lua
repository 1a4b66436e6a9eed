-- Gives up a fence: the claim a writer took on a pending write-behind key (wb-take.lua)
-- before writing the database itself, when its write did not happen (the method failed,
-- the transaction rolled back). The pending value stays and is flushed as before. A write
-- that did happen supersedes the pending value instead (write.lua deletes the marker).
-- KEYS[1] pending marker
-- ARGV[1] the writer's id
-- Returns 1 when released, 0 when the writer no longer held it.
if redis.call('HGET', KEYS[1], 'o') == ARGV[1] then
  redis.call('HDEL', KEYS[1], 'o', 'l')
  return 1
end
return 0

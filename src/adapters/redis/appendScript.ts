/**
 * Numbers, stores and publishes one room message, atomically, in one round trip: the room's
 * counter gives the id (a new counter starts at the current time in microseconds and gets a new
 * epoch, so ids are never reused), the stream keeps the last N messages none older than the
 * maximum age, and the channel carries the message with its id. Each entry keeps the node that
 * sent it, so a node recovering its own message knows it served its text members already. A message a node sends again
 * after a lost acknowledgement (same origin and origin sequence) is dropped, not stored twice.
 *
 * KEYS: counter hash, log stream, origins hash.
 * ARGV: channel ('' publishes nothing), origin node ('' skips the duplicate check), origin
 * sequence, first sequence of a new counter, messages kept (0: none), maximum age (ms), the
 * message's time (ms), its body (JSON without the id), key lifetime (ms), the publishing command
 * (`PUBLISH`, or `SPUBLISH` on a Redis Cluster: the room's shard channel shares its keys' slot).
 * Returns { sequence, epoch }, or { 0, 0 } for a duplicate.
 */
export const APPEND_SCRIPT = `
local ttl = tonumber(ARGV[9])
if ARGV[2] ~= '' then
  local last = tonumber(redis.call('HGET', KEYS[3], ARGV[2]) or '0')
  if tonumber(ARGV[3]) <= last then return {0, 0} end
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ttl)
end
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[4]) == 1 then redis.call('HSET', KEYS[1], 'n', ARGV[4]) end
local seq = string.format('%d', redis.call('HINCRBY', KEYS[1], 'n', 1))
local epoch = redis.call('HGET', KEYS[1], 'epoch')
redis.call('PEXPIRE', KEYS[1], ttl)
local kept = tonumber(ARGV[5])
if kept > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', kept, '0-' .. seq, 't', ARGV[7], 'm', ARGV[8], 'o', ARGV[2])
  local cutoff = tonumber(ARGV[7]) - tonumber(ARGV[6])
  local threshold = nil
  for _, entry in ipairs(redis.call('XRANGE', KEYS[2], '-', '+', 'COUNT', 16)) do
    if tonumber(entry[2][2]) >= cutoff then break end
    threshold = '0-' .. string.format('%d', tonumber(string.sub(entry[1], 3)) + 1)
  end
  if threshold then redis.call('XTRIM', KEYS[2], 'MINID', threshold) end
  redis.call('PEXPIRE', KEYS[2], ttl)
end
if ARGV[1] ~= '' then
  redis.call(ARGV[10], ARGV[1], 'm\\n' .. seq .. '\\n' .. epoch .. '\\n' .. ARGV[2] .. '\\n' .. ARGV[3] .. '\\n' .. ARGV[8])
end
return {seq, epoch}
`;

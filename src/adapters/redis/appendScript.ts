/**
 * Numbers, stores and publishes one room message, atomically, in one round trip: the room's
 * counter gives the id (a new counter starts at the current time in microseconds and gets a new
 * epoch, so ids are never reused), the stream keeps the last N messages none older than the
 * maximum age, and the channel carries the message with its id. Each entry keeps the node that
 * sent it and under which origin sequence, so a node recovering a message knows whether it
 * delivered it already.
 *
 * Each origin numbers its messages to a room consecutively, and the script stores them in that order
 * only: a message whose predecessor (`after`) is not recorded yet is refused, not stored, so one
 * that overtook an earlier one (a command retried on another path, a script cache miss answered
 * late) cannot push the record past the earlier one and get it dropped as a repeat. A message
 * at or below the record was stored before (its acknowledgement was lost) and is not stored twice.
 *
 * KEYS: counter hash, log stream, origins hash.
 * ARGV: channel ('' publishes nothing), origin node ('' skips the origin checks), origin
 * sequence, first sequence of a new counter, messages kept (0: none), maximum age (ms), the
 * message's time (ms), its body (JSON without the id), key lifetime (ms), the publishing command
 * (`PUBLISH`, or `SPUBLISH` on a Redis Cluster: the room's shard channel shares its keys' slot),
 * the origin sequence that must be recorded already (its predecessor; lower to skip lost ones).
 * Returns { sequence, epoch }, { 0, 0 } for a repeat, or { -1, recorded } when the predecessor
 * is missing.
 */
export const APPEND_SCRIPT = `
local ttl = tonumber(ARGV[9])
if ARGV[2] ~= '' then
  local recorded = redis.call('HGET', KEYS[3], ARGV[2])
  if recorded then
    local last = tonumber(recorded)
    if tonumber(ARGV[3]) <= last then return {0, 0} end
    if last < tonumber(ARGV[11]) then return {-1, recorded} end
  end
  redis.call('HSET', KEYS[3], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[3], ttl)
end
if redis.call('HSETNX', KEYS[1], 'epoch', ARGV[4]) == 1 then redis.call('HSET', KEYS[1], 'n', ARGV[4]) end
local seq = string.format('%d', redis.call('HINCRBY', KEYS[1], 'n', 1))
local epoch = redis.call('HGET', KEYS[1], 'epoch')
redis.call('PEXPIRE', KEYS[1], ttl)
local kept = tonumber(ARGV[5])
if kept > 0 then
  redis.call('XADD', KEYS[2], 'MAXLEN', kept, '0-' .. seq, 't', ARGV[7], 'm', ARGV[8], 'o', ARGV[2], 'q', ARGV[3])
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

/**
 * Server-side scripts: each runs atomically, so a node's directory entries, its connection set
 * and its registration never disagree. Names are built from the prefix passed as ARGV[1]
 * (single-instance Redis; Redis Cluster would need hash tags).
 */

/** Removes every trace of node ARGV[2]: its directory entries, its set, heartbeat, registration. */
const PURGE_FUNCTION = `
local function purge(prefix, node)
  local set = prefix .. 'node:' .. node .. ':connections'
  local ids = redis.call('SMEMBERS', set)
  for i = 1, #ids, 1000 do
    redis.call('HDEL', prefix .. 'directory', unpack(ids, i, math.min(i + 999, #ids)))
  end
  redis.call('DEL', set, prefix .. 'node:' .. node .. ':alive')
  redis.call('SREM', prefix .. 'nodes', node)
  return #ids
end
`;

/** ARGV: prefix, connection id, node id. */
export const ADD_SCRIPT = `
redis.call('HSET', ARGV[1] .. 'directory', ARGV[2], ARGV[3])
redis.call('SADD', ARGV[1] .. 'node:' .. ARGV[3] .. ':connections', ARGV[2])
`;

/** ARGV: prefix, connection id. Harmless for an unknown id. */
export const REMOVE_SCRIPT = `
local owner = redis.call('HGET', ARGV[1] .. 'directory', ARGV[2])
if owner then
  redis.call('HDEL', ARGV[1] .. 'directory', ARGV[2])
  redis.call('SREM', ARGV[1] .. 'node:' .. owner .. ':connections', ARGV[2])
end
`;

/** ARGV: prefix, node id. Returns how many connections were purged. */
export const PURGE_SCRIPT = `${PURGE_FUNCTION}
return purge(ARGV[1], ARGV[2])
`;

/**
 * ARGV: prefix, node id, ttl ms. Refreshes this node's heartbeat, registers it, and purges every
 * registered node whose heartbeat has expired. Returns
 * { heartbeat was present (1/0), connections purged, nodes purged, live nodes }.
 */
export const BEAT_SCRIPT = `${PURGE_FUNCTION}
local prefix, me = ARGV[1], ARGV[2]
local previous = redis.call('SET', prefix .. 'node:' .. me .. ':alive', '1', 'PX', ARGV[3], 'GET')
redis.call('SADD', prefix .. 'nodes', me)
local purged, dead = 0, 0
for _, node in ipairs(redis.call('SMEMBERS', prefix .. 'nodes')) do
  if node ~= me and redis.call('EXISTS', prefix .. 'node:' .. node .. ':alive') == 0 then
    purged = purged + purge(prefix, node)
    dead = dead + 1
  end
end
return { previous and 1 or 0, purged, dead, redis.call('SCARD', prefix .. 'nodes') }
`;

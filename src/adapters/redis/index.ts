export * from './connectRedis.js';
export * from './RedisBroadcastRelay.js';
export * from './RedisConnectionRepository.js';
export * from './RedisKeys.js';
export * from './RedisMessageGateway.js';
export * from './RedisNodeHeartbeat.js';
export * from './RedisSubscriber.js';

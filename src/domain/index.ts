export * from './ClientError.js';
export * from './ConnectionId.js';
export type * from './ConnectionRepository.js';
export type * from './MessageGateway.js';
export * from './PeersUnreachableError.js';

export * from './CloseCodes.js';
export * from './ConnectionDeadlines.js';
export * from './FrameQueue.js';
export * from './WsChatServer.js';
export * from './WsMessageGateway.js';

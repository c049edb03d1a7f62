export * from './CloseCodes.js';
export * from './WsChatServer.js';
export * from './WsMessageGateway.js';

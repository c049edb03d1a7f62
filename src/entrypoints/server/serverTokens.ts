import type { ServiceIdentifier } from 'inversify';
import type { WsChatServer, WsMessageGateway } from '../../adapters/ws/index.js';
import type { ServerConfig } from './config.js';

/** Tokens of the server entrypoint's own services. */
export const SERVER_TOKENS = {
  Config: Symbol.for('ServerConfig') as ServiceIdentifier<ServerConfig>,
  WsMessageGateway: Symbol.for('WsMessageGateway') as ServiceIdentifier<WsMessageGateway>,
  WsChatServer: Symbol.for('WsChatServer') as ServiceIdentifier<WsChatServer>,
} as const;

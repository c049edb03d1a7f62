export * from './ApiGatewayMessageGateway.js';

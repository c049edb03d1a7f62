export * from './ApiGatewayMessageGateway.js';
export * from './RetryPolicy.js';

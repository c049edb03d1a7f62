export * from './LambdaDeliveryHandoff.js';

export * from './DynamoDbConnectionRepository.js';

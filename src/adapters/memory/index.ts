export * from './InMemoryConnectionRepository.js';
export * from './InMemoryMessageHistory.js';

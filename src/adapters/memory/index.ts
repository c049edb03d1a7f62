export * from './InMemoryConnectionRepository.js';

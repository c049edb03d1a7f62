import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../src/adapters/memory/index.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';
import { messageHistoryContract } from './messageHistoryContract.js';

connectionRepositoryContract('InMemoryConnectionRepository', async ({ pageSize }) => ({
  repository: new InMemoryConnectionRepository({ pageSize }),
  close: async () => {},
}));

messageHistoryContract('InMemoryMessageHistory', async ({ retention, now }) => ({
  history: new InMemoryMessageHistory({ ...retention, now }),
  // A restart: a new process's memory.
  forget: async () => new InMemoryMessageHistory({ ...retention, now }),
  close: async () => {},
}));

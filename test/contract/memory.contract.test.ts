import { InMemoryConnectionRepository } from '../../src/adapters/memory/index.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';

connectionRepositoryContract('InMemoryConnectionRepository', async ({ pageSize }) => ({
  repository: new InMemoryConnectionRepository({ pageSize }),
  close: async () => {},
}));

import { ApiGatewayMessageGateway } from '../../src/adapters/apigateway/index.js';
import { toConnectionId } from '../../src/domain/index.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { startLocalApi } from '../support/awsLocal.js';
import { ChatClient } from '../support/ChatClient.js';
import { type ConnectedClient, type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';

messageGatewayContract(
  'ApiGatewayMessageGateway (real SDK client, local Management API)',
  async (): Promise<GatewayHarness> => {
    const opened: string[] = [];
    const local = await startLocalApi({
      $connect: async (event) => {
        opened.push(event.requestContext.connectionId);
        return { statusCode: 200 };
      },
    });
    const gateway = new ApiGatewayMessageGateway({
      endpoint: local.endpoint,
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
    });
    const clients: ChatClient[] = [];
    // Ids are learnt from the order of `$connect`, so connections are made one at a time.
    let queue: Promise<unknown> = Promise.resolve();
    const connectOne = async (): Promise<ConnectedClient> => {
      const before = opened.length;
      const chat = await ChatClient.connect(local.url);
      clients.push(chat);
      return { id: toConnectionId(opened[before] as string), client: chat };
    };
    return {
      gateway,
      connect() {
        const next = queue.then(connectOne);
        queue = next.catch(() => {});
        return next;
      },
      async close() {
        await Promise.all(clients.map((chat) => chat.close()));
        gateway.destroy();
        await local.close();
      },
    };
  },
);

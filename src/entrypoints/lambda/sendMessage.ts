import 'reflect-metadata';
import { parseClientFrame, Routes } from '../../application/index.js';
import { ClientError } from '../../domain/index.js';
import { log } from '../log.js';
import { TOKENS } from '../tokens.js';
import { readLambdaConfig } from './config.js';
import { LambdaContainer } from './container.js';
import { frameOf, webSocketHandler } from './webSocketHandler.js';

const lambda = new LambdaContainer(readLambdaConfig(process.env));

/**
 * `sendMessage`: broadcasts `data` to every connection, the sender included. API Gateway only
 * routes frames whose action is `sendMessage` here; anything else is still answered as the
 * router would, so a misrouted frame cannot broadcast.
 */
export const handler = webSocketHandler(
  'sendMessage',
  lambda,
  async (container, sender, event) => {
    const parsed = parseClientFrame(frameOf(event));
    if (parsed instanceof ClientError || parsed.action !== Routes.sendMessage) {
      const reject = container.get(TOKENS.RejectUnknownAction);
      await (parsed instanceof ClientError ? reject.execute(sender, parsed) : reject.execute(sender));
      return;
    }
    const result = await container.get(TOKENS.BroadcastMessage).execute({ sender, data: parsed.body.data });
    if (result.kind === 'broadcast' && result.gone > 0) {
      log('info', 'broadcast.gone', { connectionId: sender, delivered: result.delivered, gone: result.gone });
    }
  },
  { replyOnFailure: true },
);

import 'reflect-metadata';
import { parseClientFrame } from '../../application/index.js';
import { ClientError, InvalidActionError } from '../../domain/index.js';
import { TOKENS } from '../tokens.js';
import { readLambdaConfig } from './config.js';
import { LambdaContainer } from './container.js';
import { frameOf, webSocketHandler } from './webSocketHandler.js';

const lambda = new LambdaContainer(readLambdaConfig(process.env));

/**
 * `$default`: every frame no route matched (unknown or missing action, text that is not a JSON
 * object, binary frames). The sender alone gets the error the standalone router would give.
 */
export const handler = webSocketHandler(
  'default',
  lambda,
  async (container, sender, event) => {
    const parsed = parseClientFrame(frameOf(event));
    const error = parsed instanceof ClientError ? parsed : new InvalidActionError();
    await container.get(TOKENS.RejectUnknownAction).execute(sender, error);
  },
  { replyOnFailure: true },
);

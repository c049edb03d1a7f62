import 'reflect-metadata';
import { TOKENS } from '../tokens.js';
import { readLambdaConfig } from './config.js';
import { LambdaContainer } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const lambda = new LambdaContainer(readLambdaConfig(process.env));

/** `$disconnect` (best effort on AWS: the TTL and 410s clean up what it misses). */
export const handler = webSocketHandler(
  'disconnect',
  lambda,
  (container, sender) => container.get(TOKENS.LeaveChat).execute(sender),
  { replyOnFailure: false },
);

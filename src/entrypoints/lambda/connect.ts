import 'reflect-metadata';
import { TOKENS } from '../tokens.js';
import { readLambdaConfig } from './config.js';
import { LambdaContainer } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const lambda = new LambdaContainer(readLambdaConfig(process.env));

/** `$connect`: the client joins the audience; a 500 makes API Gateway refuse the upgrade. */
export const handler = webSocketHandler(
  'connect',
  lambda,
  (container, sender) => container.get(TOKENS.JoinChat).execute(sender),
  { replyOnFailure: false },
);

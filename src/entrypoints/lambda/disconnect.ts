import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/** `$disconnect` (best effort on AWS: the TTL and 410s clean up what it misses). */
export const handler = webSocketHandler(chat, (sender) => chat.leave.execute(sender));

import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/** `$connect`: the client joins the audience; a 500 makes API Gateway refuse the upgrade. */
export const handler = webSocketHandler(chat, (sender) => chat.join.execute(sender));

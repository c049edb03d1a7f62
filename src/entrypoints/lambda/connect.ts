import { ClientError, parseConnectOptions } from '../../domain/index.js';
import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/**
 * `$connect`: the client joins the chat in the format and under the name its query string asks
 * for. Options it cannot have are answered 400, which makes API Gateway refuse the upgrade; a
 * 500 refuses it too.
 */
export const handler = webSocketHandler(chat, async (sender, event) => {
  const query = (event as { queryStringParameters?: Record<string, string | undefined> }).queryStringParameters;
  const options = parseConnectOptions({ ...query });
  if (options instanceof ClientError) return { statusCode: 400, body: options.message };
  await chat.join.execute(sender, options);
});

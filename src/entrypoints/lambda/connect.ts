import { ClientError, type Identity, parseConnectOptions } from '../../domain/index.js';
import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/**
 * `$connect`: the client joins the chat in the format and under the name its query string asks
 * for, or under the identity the authorizer verified. Options it cannot have are answered 400,
 * which makes API Gateway refuse the upgrade; a 500 refuses it too.
 */
export const handler = webSocketHandler(chat, async (sender, event) => {
  const { queryStringParameters, requestContext } = event as ConnectEvent;
  const options = parseConnectOptions({ ...queryStringParameters });
  if (options instanceof ClientError) return { statusCode: 400, body: options.message };
  await chat.join.execute(sender, options, verifiedIdentity(requestContext.authorizer));
});

/** What `$connect` receives beside the common event: the query string, and what the authorizer allowed. */
interface ConnectEvent {
  readonly queryStringParameters?: Record<string, string | undefined>;
  readonly requestContext: { readonly authorizer?: Record<string, unknown> | null };
}

/** The identity the authorizer put in its context, when it verified a token. */
function verifiedIdentity(context: Record<string, unknown> | null | undefined): Identity | undefined {
  const user = context?.user;
  const name = context?.name;
  if (typeof user !== 'string' || user === '' || typeof name !== 'string') return undefined;
  return { user, name };
}

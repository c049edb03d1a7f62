import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { textOf, webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/**
 * Every message route (`sendMessage`, `$default`): the frame goes to the router, as on every
 * other runtime shape. API Gateway has already picked the route by the same rule, so the
 * router agrees with it; a frame routed here by mistake is still answered as the router says.
 */
export const handler = webSocketHandler(chat, (sender, event) => chat.router.route(sender, textOf(event)));

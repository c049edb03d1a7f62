import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';
import { textOf, webSocketHandler } from './webSocketHandler.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/**
 * Every message route (`$default` and each action's route): the frame goes to the router, as on
 * every other runtime shape. API Gateway has already picked the route by the same rule, so the
 * router agrees with it. Each route's function holds only the grants of its own use case: a
 * frame the two read differently (duplicate `action` keys, say) fails for lack of them, and its
 * sender hears of an internal error; it can never do more than its route allows.
 */
export const handler = webSocketHandler(chat, (sender, event) => chat.router.route(sender, textOf(event)));

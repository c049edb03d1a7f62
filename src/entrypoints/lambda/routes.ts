import { MESSAGE_ROUTES } from '../../application/index.js';

/** The handler modules of this folder, one Lambda bundle each (`dist/lambda/<name>/index.mjs`). */
export type LambdaHandlerName = 'connect' | 'disconnect' | 'message' | 'authorize' | 'fanout';

/**
 * Every route key of the WebSocket API and the handler serving it: the CDK stack, the local
 * emulator and the build read this one table. Every message route, `$default` included, hands
 * its frame to the router.
 */
export const ROUTE_HANDLERS: Readonly<Record<string, Exclude<LambdaHandlerName, 'authorize' | 'fanout'>>> = {
  $connect: 'connect',
  $disconnect: 'disconnect',
  $default: 'message',
  ...Object.fromEntries(MESSAGE_ROUTES.map((route) => [route, 'message' as const])),
};

/**
 * Every bundle: the route handlers, the authorizer `$connect` runs first when auth is on, and
 * the fan-out function that delivers the parts of large broadcasts.
 */
export const LAMBDA_HANDLERS: readonly LambdaHandlerName[] = [
  'connect',
  'disconnect',
  'message',
  'authorize',
  'fanout',
];

import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { type ConnectionId, toConnectionId } from '../../domain/index.js';
import { describeError, log } from '../log.js';
import type { LambdaChat } from './container.js';

/**
 * What one handler does with its event; the core answers the client itself. An object it
 * resolves with is the integration's response (`$connect` refusing an upgrade).
 */
export type EventWork = (sender: ConnectionId, event: APIGatewayProxyWebsocketEventV2) => Promise<unknown>;

/** The text of a frame as the client sent it (API Gateway base64-encodes what is not text). */
export function textOf(event: APIGatewayProxyWebsocketEventV2): string {
  const body = event.body ?? '';
  return event.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

/**
 * Wraps a handler's work into a Lambda handler: 200 when it ran (a client's mistake included,
 * its reply already posted), 500 on an infrastructure failure, logged by class and code under
 * the event's route key, never with the frame's body or a stack.
 */
export function webSocketHandler(
  chat: LambdaChat,
  work: EventWork,
): (event: APIGatewayProxyWebsocketEventV2, context?: Context) => Promise<APIGatewayProxyResultV2> {
  return async (event) => {
    const { requestContext } = event;
    const sender = toConnectionId(requestContext.connectionId);
    try {
      const response = await chat.within(requestContext, () => work(sender, event));
      return typeof response === 'object' && response !== null
        ? (response as APIGatewayProxyResultV2)
        : { statusCode: 200 };
    } catch (error) {
      log('error', `${requestContext.routeKey}.failed`, { connectionId: sender, ...describeError(error) });
      return { statusCode: 500 };
    }
  };
}

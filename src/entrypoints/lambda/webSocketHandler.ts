import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import { type ConnectionId, toConnectionId } from '../../domain/index.js';
import type { LambdaChat } from './container.js';
import { logFailure } from './observability.js';

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
 * the event's route key, never with the frame's body or a stack. Every log line of the
 * invocation carries its request id and cold-start flag; what the core reported while it ran
 * is written once, as one EMF line, when it ends.
 */
export function webSocketHandler(
  chat: LambdaChat,
  work: EventWork,
): (event: APIGatewayProxyWebsocketEventV2, context?: Context) => Promise<APIGatewayProxyResultV2> {
  return async (event, context) => {
    const { requestContext } = event;
    const { routeKey } = requestContext;
    const sender = toConnectionId(requestContext.connectionId);
    if (context !== undefined) chat.logger.addContext(context);
    const started = performance.now();
    let statusCode = 500;
    try {
      const response = await chat.within(requestContext, () => work(sender, event));
      const result =
        typeof response === 'object' && response !== null
          ? (response as APIGatewayProxyResultV2 & { statusCode?: number })
          : { statusCode: 200 };
      statusCode = result.statusCode ?? 200;
      return result;
    } catch (error) {
      logFailure(chat.logger, `${routeKey}.failed`, error, { connectionId: sender });
      return { statusCode: 500 };
    } finally {
      chat.metrics.publish();
      chat.logger.debug('handled', {
        routeKey,
        connectionId: sender,
        statusCode,
        durationMs: Math.round(performance.now() - started),
      });
    }
  };
}

import type { APIGatewayProxyResultV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';
import type { Container } from 'inversify';
import { binaryFrame, type ConnectionId, type InboundFrame, textFrame, toConnectionId } from '../../domain/index.js';
import { describeError, log } from '../log.js';
import { INTERNAL_ERROR_REPLY } from '../replies.js';
import { TOKENS } from '../tokens.js';
import type { LambdaContainer } from './container.js';

/** What one route does with its event; client-caused errors are replies, not failures. */
export type RouteWork = (
  container: Container,
  sender: ConnectionId,
  event: APIGatewayProxyWebsocketEventV2,
) => Promise<void>;

export interface RouteOptions {
  /** Tell the sender its frame was lost (message routes); pointless on connect and disconnect. */
  readonly replyOnFailure: boolean;
}

/** The frame as the client sent it: API Gateway base64-encodes binary frames. */
export function frameOf(event: APIGatewayProxyWebsocketEventV2): InboundFrame {
  const body = event.body ?? '';
  return event.isBase64Encoded ? binaryFrame(Buffer.from(body, 'base64').byteLength) : textFrame(body);
}

/**
 * Wraps one route's work into a Lambda handler: 200 when it ran (a client's mistake included,
 * its reply already posted), 500 on an infrastructure failure, logged by class and code, never
 * with the frame's body or a stack.
 */
export function webSocketHandler(
  route: string,
  lambda: LambdaContainer,
  work: RouteWork,
  { replyOnFailure }: RouteOptions,
): (event: APIGatewayProxyWebsocketEventV2, context?: Context) => Promise<APIGatewayProxyResultV2> {
  return async (event) => {
    const sender = toConnectionId(event.requestContext.connectionId);
    const container = lambda.for(event.requestContext);
    try {
      await work(container, sender, event);
      return { statusCode: 200 };
    } catch (error) {
      log('error', `${route}.failed`, { connectionId: sender, ...describeError(error) });
      if (replyOnFailure) await tellSender(container, sender);
      return { statusCode: 500 };
    }
  };
}

async function tellSender(container: Container, sender: ConnectionId): Promise<void> {
  try {
    await container.get(TOKENS.MessageGateway).post(sender, INTERNAL_ERROR_REPLY);
  } catch (error) {
    log('error', 'failure.reply.failed', { connectionId: sender, ...describeError(error) });
  }
}

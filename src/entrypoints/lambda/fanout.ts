import type { Context } from 'aws-lambda';
import type { HandoffPayload } from '../../adapters/lambda/index.js';
import type { PartOutcome } from '../../application/index.js';
import { RecipientsUnreachedError } from '../../domain/index.js';
import { describeError, log } from '../log.js';
import { readLambdaConfig } from './config.js';
import { createLambdaChat } from './container.js';

const chat = createLambdaChat(readLambdaConfig(process.env));

/**
 * The fan-out function: one part of a large broadcast, invoked asynchronously by the handler that
 * received the message (or by a fan-out invocation that ran short of time). It delivers its part
 * page by page, and hands the rest on before its own timeout rather than stop mid-page. It never
 * fails the invocation: Lambda would run a failed asynchronous invocation again, and its part's
 * recipients would get the message twice. What it could not deliver it logs, and tells the sender.
 */
export async function handler(payload: HandoffPayload, context?: Context): Promise<PartOutcome | undefined> {
  const timeLeftMs = () => context?.getRemainingTimeInMillis() ?? Number.POSITIVE_INFINITY;
  const endpoint = typeof payload.endpoint === 'string' ? payload.endpoint : undefined;
  const { throttledRetries, failedRetries } = chat.gateway.stats;
  return chat.withinEndpoint(endpoint, async () => {
    try {
      const outcome = await chat.fanout.deliverPart(payload, timeLeftMs);
      log(outcome.unreached > 0 ? 'warn' : 'info', 'fanout.part', {
        ...outcome,
        throttledRetries: chat.gateway.stats.throttledRetries - throttledRetries,
        failedRetries: chat.gateway.stats.failedRetries - failedRetries,
      });
      if (outcome.unreached > 0) await tellSender(payload, new RecipientsUnreachedError(outcome.unreached));
      return outcome;
    } catch (error) {
      log('error', 'fanout.failed', describeError(error));
      await tellSender(payload, error);
      return undefined;
    }
  });
}

async function tellSender({ replyTo }: HandoffPayload, error: unknown): Promise<void> {
  if (replyTo === undefined) return;
  await chat.replies.failure(replyTo, error).catch((failure: unknown) => {
    log('error', 'fanout.reply.failed', describeError(failure));
  });
}

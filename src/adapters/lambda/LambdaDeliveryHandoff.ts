import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import type { DeliveryHandoff, HandedDelivery } from '../../domain/index.js';

export interface LambdaDeliveryHandoffOptions {
  /** The function that delivers one part (name or ARN). */
  readonly functionName: string;
  /** Invocations in flight at once while handing a broadcast's parts out. */
  readonly maxConcurrentInvokes?: number;
  /** Fields every payload carries besides the delivery (the Management API endpoint, say). */
  readonly envelope?: () => Record<string, unknown>;
}

/** The payload of one invocation: a delivery and the envelope's fields. */
export type HandoffPayload = HandedDelivery & Record<string, unknown>;

/**
 * Hands each delivery to the fan-out function as an asynchronous invocation (`InvocationType:
 * Event`): Lambda queues it and answers 202 at once, so the caller spends milliseconds per part
 * whatever the part's size, and the parts run in parallel, each in its own execution environment.
 */
export class LambdaDeliveryHandoff implements DeliveryHandoff {
  /** Invocations accepted so far, for tests and the invocation's log. */
  readonly stats = { invocations: 0 };

  constructor(
    private readonly client: LambdaClient,
    private readonly options: LambdaDeliveryHandoffOptions,
  ) {}

  async hand(deliveries: readonly HandedDelivery[]): Promise<void> {
    const envelope = this.options.envelope?.() ?? {};
    let next = 0;
    const invokeNext = async (): Promise<void> => {
      while (next < deliveries.length) {
        const delivery = deliveries[next++] as HandedDelivery;
        const payload: HandoffPayload = { ...envelope, ...delivery };
        const { StatusCode } = await this.client.send(
          new InvokeCommand({
            FunctionName: this.options.functionName,
            InvocationType: 'Event',
            Payload: new TextEncoder().encode(JSON.stringify(payload)),
          }),
        );
        if (StatusCode !== 202) throw new Error(`the fan-out function refused a part (status ${StatusCode})`);
        this.stats.invocations++;
      }
    };
    const lanes = Math.min(this.options.maxConcurrentInvokes ?? 16, deliveries.length);
    await Promise.all(Array.from({ length: lanes }, invokeNext));
  }
}

import type { ClientError, ConnectionId, Format, MessageGateway } from '../domain/index.js';
import { failureCode, failureReply } from './failureReply.js';
import { type ChatEventFrame, encodeEvent, errorEvent } from './frames.js';

/** Whom a reply goes to, and in which format. */
export interface Recipient {
  readonly id: ConnectionId;
  readonly format: Format;
}

/**
 * Answers one client in its own format. A recipient that is gone by now needs no answer: its
 * departure is handled where connections leave.
 */
export class Replies {
  constructor(private readonly gateway: MessageGateway) {}

  /** A client's own mistake: `Error: <text>` in text format, an `error` event in json. */
  async error(to: Recipient, error: ClientError): Promise<void> {
    await this.gateway.post(to.id, to.format === 'json' ? encodeEvent(errorEvent(error)) : error.reply);
  }

  /** A failure that is not the client's: what may not have reached everyone, and why. */
  async failure(to: Recipient, error: unknown): Promise<void> {
    const reply = failureReply(error);
    const frame =
      to.format === 'json'
        ? encodeEvent(errorEvent({ code: failureCode(error), message: reply.slice('Error: '.length) }))
        : reply;
    await this.gateway.post(to.id, frame);
  }

  /** Any other event: JSON in both formats. */
  async send(to: Recipient, event: ChatEventFrame): Promise<void> {
    await this.gateway.post(to.id, encodeEvent(event));
  }
}

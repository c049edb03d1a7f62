import { type ClientError, type ConnectionId, InvalidActionError, type MessageGateway } from '../domain/index.js';

/** Answers a frame no route accepts: the sender alone gets the error, nobody else sees anything. */
export class RejectUnknownAction {
  constructor(private readonly gateway: MessageGateway) {}

  /** Replies `error` (by default the seed's `Error: Invalid action type`) to `sender`. */
  async execute(sender: ConnectionId, error: ClientError = new InvalidActionError()): Promise<void> {
    await this.gateway.post(sender, error.reply);
  }
}

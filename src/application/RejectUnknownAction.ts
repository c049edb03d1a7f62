import { type ClientError, InvalidActionError } from '../domain/index.js';
import type { Recipient, Replies } from './Replies.js';

/** Answers a frame no route accepts: the sender alone gets the error, nobody else sees anything. */
export class RejectUnknownAction {
  constructor(private readonly replies: Replies) {}

  /** Replies `error` (by default the seed's `Error: Invalid action type`) to `sender`. */
  async execute(sender: Recipient, error: ClientError = new InvalidActionError()): Promise<void> {
    await this.replies.error(sender, error);
  }
}

/**
 * Something a client caused: an expected outcome, answered with `reply` to that client alone.
 * Never thrown, never carries a stack to the client.
 */
export abstract class ClientError extends Error {
  abstract readonly code: string;

  /** The exact text frame the sender receives. */
  get reply(): string {
    return `Error: ${this.message}`;
  }
}

/** Unknown or missing action, text that is not JSON, or JSON that is not an object. */
export class InvalidActionError extends ClientError {
  readonly code = 'INVALID_ACTION';

  constructor() {
    super('Invalid action type');
  }
}

/** `sendMessage` without a string `data` field. */
export class InvalidMessageDataError extends ClientError {
  readonly code = 'INVALID_MESSAGE_DATA';

  constructor() {
    super('sendMessage needs a "data" field holding a string');
  }
}

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

/** A room name outside 1-64 of `[A-Za-z0-9._-]`. */
export class InvalidRoomNameError extends ClientError {
  readonly code = 'INVALID_ROOM';

  constructor() {
    super('A room name is 1 to 64 letters, digits, ".", "_" or "-"');
  }
}

/** A display name that is empty, too long, or holds control or bidi-override characters. */
export class InvalidNameError extends ClientError {
  readonly code = 'INVALID_NAME';

  constructor() {
    super('A name is 1 to 32 printable characters, without control or bidi-override characters');
  }
}

/** A `format` connect option other than `text` or `json`. */
export class InvalidFormatError extends ClientError {
  readonly code = 'INVALID_FORMAT';

  constructor() {
    super('format must be text or json');
  }
}

/** The sender is not a member of the room it names. */
export class NotAMemberError extends ClientError {
  readonly code = 'NOT_A_MEMBER';

  constructor(room: string) {
    super(`You are not in room ${room}`);
  }
}

/** The sender joined a room it is already in. */
export class AlreadyJoinedError extends ClientError {
  readonly code = 'ALREADY_JOINED';

  constructor(room: string) {
    super(`You are already in room ${room}`);
  }
}

/** The sender is in as many rooms as a connection may be. */
export class TooManyRoomsError extends ClientError {
  readonly code = 'TOO_MANY_ROOMS';

  constructor(max: number) {
    super(`A connection may be in at most ${max} rooms`);
  }
}

/** The sender's name comes from its verified token and cannot be changed. */
export class NameLockedError extends ClientError {
  readonly code = 'NAME_LOCKED';

  constructor() {
    super('Your name comes from your sign-in and cannot be changed here');
  }
}

/** A `history` request whose `after` is not a message id of this chat. */
export class InvalidCursorError extends ClientError {
  readonly code = 'INVALID_AFTER';

  constructor() {
    super('after must be the id of a message, as a client received it');
  }
}

/** A `history` request whose `limit` is not a whole number from 1 to the maximum. */
export class InvalidLimitError extends ClientError {
  readonly code = 'INVALID_LIMIT';

  constructor(max: number) {
    super(`limit must be a whole number from 1 to ${max}`);
  }
}

/** A frame over the connection's rate limit: dropped, and its sender told. */
export class RateLimitedError extends ClientError {
  readonly code = 'RATE_LIMITED';

  constructor() {
    super('Too many messages');
  }
}

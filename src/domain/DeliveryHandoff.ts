import type { Member } from './Member.js';
import type { RelayedEvent } from './MessageGateway.js';
import type { RoomName } from './RoomName.js';

/**
 * A part of one audience that a worker can list on its own: a segment of the whole, or a run of
 * a room's members, from a position. Only the repository that cut it reads `cursor`; the part
 * survives being serialized as JSON.
 */
export interface AudiencePart {
  readonly room: RoomName | null;
  readonly cursor: unknown;
}

/** Whom to tell when a handed-off delivery could not reach some recipients: the sender. */
export interface ReplyTarget {
  readonly id: Member['id'];
  readonly format: Member['format'];
}

/** One worker's share of a broadcast: what to deliver, to which part, and whom to tell of failures. */
export interface HandedDelivery {
  readonly event: RelayedEvent;
  readonly part: AudiencePart;
  readonly replyTo?: ReplyTarget;
}

/** An audience cut into parts that separate workers list in parallel. */
export interface AudienceParts {
  /** Cuts `room`'s audience (every connection when null) into parts that together hold each member once. */
  split(room: RoomName | null): Promise<readonly AudiencePart[]>;

  /** One page of `part` from its position, and what is left of it (undefined: the part is done). */
  read(part: AudiencePart): Promise<{ readonly members: readonly Member[]; readonly rest: AudiencePart | undefined }>;
}

/** Hands deliveries to other workers, which run them on their own (on AWS, asynchronous invocations). */
export interface DeliveryHandoff {
  /** Resolves once every delivery is accepted for running; it may not have run yet. */
  hand(deliveries: readonly HandedDelivery[]): Promise<void>;
}

import type {
  ChatMessage,
  ChatMetrics,
  ConnectionRepository,
  Delivery,
  Member,
  MessageDraft,
  MessageGateway,
  MessageHistory,
  PresenceChange,
  RelayedEvent,
  RoomName,
} from '../domain/index.js';
import { forEachBounded } from './forEachBounded.js';
import { encodeEvent, lostFrames, messageEvent, presenceEvent } from './frames.js';

export interface FanoutOptions {
  /** Most deliveries of one broadcast in flight at once. */
  readonly maxConcurrentDeliveries: number;
  /** Told once per broadcast, with its totals. */
  readonly metrics?: ChatMetrics;
}

export const DEFAULT_FANOUT_OPTIONS: FanoutOptions = { maxConcurrentDeliveries: 64 };

/** Which frame a member gets; undefined: none. */
type FrameFor = (member: Member) => string | undefined;

/**
 * The one place that decides what a broadcast means. The audience is the room's members (every
 * connection for the global audience), the sender included. A message is numbered and stored by
 * the history, then each member receives it in its format: text members its `data` verbatim,
 * json members a `message` event; each encoding is made once per broadcast, not per recipient.
 * A presence change reaches the room's json members, not the one it is about. A recipient
 * reported gone is removed (that recipient, never the sender), and its rooms hear it left.
 * Deliveries run with bounded concurrency.
 *
 * Where the chat spans several processes (the gateway can `publish`), the transport numbers and
 * stores the message, and every process, this one included, hands what it receives to `deliver`.
 */
export class Fanout {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly gateway: MessageGateway,
    private readonly history: MessageHistory,
    private readonly options: FanoutOptions = DEFAULT_FANOUT_OPTIONS,
  ) {
    if (!Number.isInteger(options.maxConcurrentDeliveries) || options.maxConcurrentDeliveries < 1) {
      throw new RangeError('maxConcurrentDeliveries must be a positive integer');
    }
  }

  /** Numbers, stores and delivers a message to its room's whole audience. */
  async message(draft: MessageDraft): Promise<void> {
    if (this.gateway.publish === undefined) {
      await this.deliverMessage(await this.history.append(draft), true);
      return;
    }
    // Text members here, who see no id, get it at once, as on a single process, even while the
    // others cannot be reached; json members get it once it is numbered, as it comes back.
    let failure: { error: unknown } | undefined;
    await this.gateway.publish({ kind: 'message', draft }).catch((error: unknown) => {
      failure = { error };
    });
    await this.deliverTo(draft.room, (member) => (member.format === 'text' ? draft.data : undefined));
    if (failure !== undefined) throw failure.error;
  }

  /** Tells the room's json members, but the subject, that someone joined or left. */
  async presence(change: PresenceChange): Promise<void> {
    if (this.gateway.publish === undefined) await this.deliverPresence(change);
    else await this.gateway.publish({ kind: 'presence', change });
  }

  /** What another process (or this one) published: delivered to this process's audience. */
  async deliver(event: RelayedEvent): Promise<void> {
    switch (event.kind) {
      case 'message':
        return this.deliverMessage(event.message, !event.own);
      case 'presence':
        return this.deliverPresence(event.change);
      case 'lost': {
        const { text, json } = lostFrames(event.room, event.count);
        return this.deliverTo(event.room, (member) => (member.format === 'json' ? json : text));
      }
    }
  }

  private deliverMessage(message: ChatMessage, toText: boolean): Promise<void> {
    let json: string | undefined;
    return this.deliverTo(message.room, (member) => {
      if (member.format === 'text') return toText ? message.data : undefined;
      json ??= encodeEvent(messageEvent(message));
      return json;
    });
  }

  private deliverPresence(change: PresenceChange): Promise<void> {
    const frame = encodeEvent(presenceEvent(change));
    return this.deliverTo(
      change.room,
      (member) => (member.format === 'json' && member.id !== change.subject ? frame : undefined),
      false,
    );
  }

  /**
   * Posts each member of `room` its frame. A member reported gone is removed; when `announce`,
   * its rooms are told it left (the announcement itself only removes, so it cannot cascade).
   */
  private async deliverTo(room: RoomName | null, frameFor: FrameFor, announce = true): Promise<void> {
    const started = performance.now();
    let delivered = 0;
    let gone = 0;
    const settle = (member: Member, outcome: Delivery): void | Promise<void> => {
      if (outcome === 'delivered') {
        delivered++;
        return;
      }
      gone++;
      return this.forget(member, announce);
    };
    const deliver = (member: Member): void | Promise<void> => {
      const frame = frameFor(member);
      if (frame === undefined) return;
      const outcome = this.gateway.post(member.id, frame);
      if (typeof outcome === 'string') return settle(member, outcome);
      return outcome.then((settled) => settle(member, settled));
    };
    try {
      for await (const page of this.connections.list(room)) {
        await forEachBounded(page, this.options.maxConcurrentDeliveries, deliver);
      }
    } finally {
      this.options.metrics?.broadcast(performance.now() - started, delivered, gone);
    }
  }

  private async forget(member: Member, announce: boolean): Promise<void> {
    const rooms = (await this.connections.remove(member.id))?.rooms ?? [];
    if (!announce) return;
    const { id, name, user } = member;
    const identity = user === undefined ? { name } : { name, user };
    for (const room of rooms) await this.presence({ room, event: 'leave', member: identity, subject: id });
  }
}

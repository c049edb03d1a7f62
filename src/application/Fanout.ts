import {
  type AudienceParts,
  type ChatMetrics,
  type ConnectionRepository,
  type Delivery,
  type DeliveryHandoff,
  type HandedDelivery,
  type Member,
  type MessageDraft,
  type MessageGateway,
  type MessageHistory,
  type PresenceChange,
  RecipientsUnreachedError,
  type RelayedEvent,
  type ReplyTarget,
  type RoomName,
} from '../domain/index.js';
import { forEachBounded } from './forEachBounded.js';
import { encodeEvent, lostFrames, messageEvent, presenceEvent } from './frames.js';

export interface FanoutOptions {
  /** Most deliveries of one broadcast in flight at once. */
  readonly maxConcurrentDeliveries: number;
  /** Told once per broadcast, with its totals. */
  readonly metrics?: ChatMetrics;
  /** Where set, audiences larger than its threshold are delivered by other workers, part by part. */
  readonly handoff?: FanoutHandoff;
}

/** How a large audience is cut into parts and handed to other workers. */
export interface FanoutHandoff {
  /** Audiences of more members than this are handed off; smaller ones are delivered here. */
  readonly threshold: number;
  readonly parts: AudienceParts;
  readonly workers: DeliveryHandoff;
  /**
   * A worker hands the rest of its part on rather than start another page with less time than
   * this left: a page, its retries included, must finish before the worker's own timeout.
   */
  readonly marginMs: number;
}

/** What one worker did with its part of an audience. */
export interface PartOutcome {
  readonly delivered: number;
  readonly gone: number;
  readonly unreached: number;
  /** It ran short of time and handed the rest of its part to another worker. */
  readonly handedOn: boolean;
}

/** Counts of one delivery run. */
interface Tally {
  delivered: number;
  gone: number;
  unreached: number;
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
 * Deliveries run with bounded concurrency. A delivery that fails is counted and the rest go on;
 * the broadcast then fails with `RecipientsUnreachedError`, so that its sender is told.
 *
 * With a `handoff`, an audience over its threshold is not delivered here: it is cut into parts
 * that other workers deliver (`deliverPart`), each handing on what it has no time left for.
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

  /**
   * Numbers, stores and delivers a message to its room's whole audience. `replyTo`, the sender,
   * is told by the workers that deliver a handed-off audience if they could not reach everyone.
   */
  async message(draft: MessageDraft, replyTo?: ReplyTarget): Promise<void> {
    if (this.gateway.publish === undefined) {
      const message = await this.history.append(draft);
      const event: RelayedEvent = { kind: 'message', message, own: false };
      await this.deliverTo(message.room, this.framesOf(event), { event, ...(replyTo ? { replyTo } : {}) });
      return;
    }
    // Text members here, who see no id, get it at once, as on a single process, even while the
    // others cannot be reached; json members get it once it is numbered, as it comes back.
    let failure: { error: unknown } | undefined;
    await this.gateway.publish({ kind: 'message', draft }).catch((error: unknown) => {
      failure = { error };
    });
    await this.deliverTo(draft.room, {
      frameFor: (member) => (member.format === 'text' ? draft.data : undefined),
      announce: true,
    });
    if (failure !== undefined) throw failure.error;
  }

  /** Tells the room's json members, but the subject, that someone joined or left. */
  async presence(change: PresenceChange): Promise<void> {
    if (this.gateway.publish === undefined) {
      const event: RelayedEvent = { kind: 'presence', change };
      await this.deliverTo(change.room, this.framesOf(event), { event });
    } else await this.gateway.publish({ kind: 'presence', change });
  }

  /** What another process (or this one) published: delivered to this process's audience. */
  async deliver(event: RelayedEvent): Promise<void> {
    await this.deliverTo(roomOf(event), this.framesOf(event));
  }

  /**
   * A worker's share of a handed-off broadcast: its part, page by page, until the part is done or
   * `timeLeftMs()` falls under the margin, when the rest is handed on to another worker.
   */
  async deliverPart(delivery: HandedDelivery, timeLeftMs: () => number): Promise<PartOutcome> {
    const handoff = this.options.handoff;
    if (handoff === undefined) throw new RangeError('this fan-out has no handoff to read parts with');
    const { frameFor, announce } = this.framesOf(delivery.event);
    const tally: Tally = { delivered: 0, gone: 0, unreached: 0 };
    let part = delivery.part as HandedDelivery['part'] | undefined;
    let handedOn = false;
    // At least one page per invocation, so that a chain of continuations always gets somewhere.
    for (let pages = 0; part !== undefined; pages++) {
      if (pages > 0 && timeLeftMs() < handoff.marginMs) {
        await handoff.workers.hand([{ ...delivery, part }]);
        handedOn = true;
        break;
      }
      const { members, rest } = await handoff.parts.read(part);
      await this.deliverPage(members, frameFor, announce, tally);
      part = rest;
    }
    return { ...tally, handedOn };
  }

  /** Which frame each member gets of `event`, and whether members found gone are announced. */
  private framesOf(event: RelayedEvent): { frameFor: FrameFor; announce: boolean } {
    switch (event.kind) {
      case 'message': {
        const { message, own } = event;
        let json: string | undefined;
        const frameFor: FrameFor = (member) => {
          if (member.format === 'text') return own ? undefined : message.data;
          json ??= encodeEvent(messageEvent(message));
          return json;
        };
        return { frameFor, announce: true };
      }
      case 'presence': {
        const { change } = event;
        const frame = encodeEvent(presenceEvent(change));
        const frameFor: FrameFor = (member) =>
          member.format === 'json' && member.id !== change.subject ? frame : undefined;
        // The announcement itself only removes, so that it cannot cascade.
        return { frameFor, announce: false };
      }
      case 'lost': {
        const { text, json } = lostFrames(event.room, event.count);
        return { frameFor: (member) => (member.format === 'json' ? json : text), announce: true };
      }
    }
  }

  /**
   * Posts each member of `room` its frame. A member reported gone is removed; when `announce`,
   * its rooms are told it left. With a handoff and a `handed` delivery, an audience over the
   * threshold is handed to other workers instead.
   */
  private async deliverTo(
    room: RoomName | null,
    { frameFor, announce }: { frameFor: FrameFor; announce: boolean },
    handed?: Omit<HandedDelivery, 'part'>,
  ): Promise<void> {
    const started = performance.now();
    const tally: Tally = { delivered: 0, gone: 0, unreached: 0 };
    try {
      const handoff = handed === undefined ? undefined : this.options.handoff;
      if (handoff === undefined) {
        for await (const page of this.connections.list(room)) await this.deliverPage(page, frameFor, announce, tally);
      } else {
        const held = await this.readUpTo(room, handoff.threshold);
        if (held === undefined) {
          const parts = await handoff.parts.split(room);
          await handoff.workers.hand(parts.map((part) => ({ ...(handed as Omit<HandedDelivery, 'part'>), part })));
          return;
        }
        for (const page of held) await this.deliverPage(page, frameFor, announce, tally);
      }
    } finally {
      this.options.metrics?.broadcast(performance.now() - started, tally.delivered, tally.gone);
    }
    if (tally.unreached > 0) throw new RecipientsUnreachedError(tally.unreached);
  }

  /** The whole audience of `room` when it has at most `threshold` members; undefined when it has more. */
  private async readUpTo(room: RoomName | null, threshold: number): Promise<(readonly Member[])[] | undefined> {
    const held: (readonly Member[])[] = [];
    let count = 0;
    for await (const page of this.connections.list(room)) {
      count += page.length;
      if (count > threshold) return undefined;
      held.push(page);
    }
    return held;
  }

  /** Posts one page, counting each outcome; a failed post is counted, and the others go on. */
  private async deliverPage(
    page: readonly Member[],
    frameFor: FrameFor,
    announce: boolean,
    tally: Tally,
  ): Promise<void> {
    const settle = (member: Member, outcome: Delivery): void | Promise<void> => {
      if (outcome === 'delivered') {
        tally.delivered++;
        return;
      }
      tally.gone++;
      return this.forget(member, announce);
    };
    const unreached = (): void => {
      tally.unreached++;
    };
    const deliver = (member: Member): void | Promise<void> => {
      const frame = frameFor(member);
      if (frame === undefined) return;
      let outcome: Delivery | Promise<Delivery>;
      try {
        outcome = this.gateway.post(member.id, frame);
      } catch {
        return unreached();
      }
      if (typeof outcome === 'string') return settle(member, outcome);
      return outcome.then((settled) => settle(member, settled), unreached);
    };
    await forEachBounded(page, this.options.maxConcurrentDeliveries, deliver);
  }

  private async forget(member: Member, announce: boolean): Promise<void> {
    const rooms = (await this.connections.remove(member.id))?.rooms ?? [];
    if (!announce) return;
    const { id, name, user } = member;
    const identity = user === undefined ? { name } : { name, user };
    for (const room of rooms) await this.presence({ room, event: 'leave', member: identity, subject: id });
  }
}

/** The room an event goes to (null: everyone). */
function roomOf(event: RelayedEvent): RoomName | null {
  switch (event.kind) {
    case 'message':
      return event.message.room;
    case 'presence':
      return event.change.room;
    case 'lost':
      return event.room;
  }
}

import type { RelayedEvent, RoomName } from '../../domain/index.js';
import { formatMessageId } from '../../domain/index.js';
import type { RedisMessageHistory, StoredMessage } from './RedisMessageHistory.js';
import { RoomSequencer } from './RoomSequencer.js';
import { decodeEnvelope, type MessageEnvelope, type RoomEnvelope } from './roomEnvelope.js';
import { SequenceFilter } from './SequenceFilter.js';

/** What a node does with what the cluster publishes: deliver it to its own audience. */
export interface RelayedEventHandler {
  deliver(event: RelayedEvent): Promise<void>;
}

export interface RoomReceiverOptions {
  readonly history: RedisMessageHistory;
  readonly nodeId: string;
  readonly onWarning?: (event: string, fields: Record<string, unknown>) => void;
}

/** The key of a room in the maps below: '' for the global audience. */
export const roomKey = (room: RoomName | null): string => room ?? '';
export const roomOf = (key: string): RoomName | null => (key === '' ? null : (key as RoomName));

/**
 * How far back a node looks for messages numbered again after a failover: a promoted replica
 * lacks at most what its master had not copied to it yet, a fraction of a second of traffic.
 */
const RENUMBERED_WINDOW = 256;

/**
 * Delivers each followed room's messages once, in id order, as they arrive from the room's
 * channel: a gap (a lost link) is filled from the history, and what the history no longer holds is
 * announced to the room's members rather than lost silently. Each message is also known by its
 * sender and the sender's own number for it, so a message stored again under another number (a
 * resend after a failover) is not delivered twice, and a number given again to a new message (a
 * promoted replica that lacked the last numbers) does not hide it.
 */
export class RoomReceiver {
  private readonly sequencer = new RoomSequencer();
  private readonly presenceSeen = new SequenceFilter();
  /** Per room, each origin's messages delivered. */
  private readonly messagesSeen = new Map<string, SequenceFilter>();
  /** A catch-up failed (the commands link was still down): it runs again on the next resume. */
  private catchUpPending = false;
  /** A failed catch-up's retry is scheduled. */
  private catchUpRetrying = false;
  private inbound: Promise<void> = Promise.resolve();
  private handler: RelayedEventHandler = { deliver: async () => {} };

  constructor(private readonly options: RoomReceiverOptions) {}

  /** Where what arrives goes. */
  deliverTo(handler: RelayedEventHandler): void {
    this.handler = handler;
  }

  /** Starts following `room`: what it numbers from now on is this node's to deliver. */
  async follow(room: RoomName | null): Promise<void> {
    const key = roomKey(room);
    this.sequencer.follow(key);
    // Where the room stands now: what follows is this node's to deliver, and a later gap shows.
    const counter = await this.options.history.counter(room).catch(() => undefined);
    if (counter !== undefined) this.sequencer.start(key, counter.epoch, counter.latest);
  }

  forget(room: RoomName | null): void {
    this.sequencer.forget(roomKey(room));
    this.messagesSeen.delete(roomKey(room));
  }

  /** Each followed room's epoch and last number delivered, where known. */
  positions(): Array<{ readonly room: RoomName | null; readonly epoch: string; readonly last: number }> {
    return [...this.sequencer.followed()].flatMap((key) => {
      const position = this.sequencer.position(key);
      return position?.epoch === undefined ? [] : [{ room: roomOf(key), epoch: position.epoch, last: position.last }];
    });
  }

  /** One payload from a followed channel; handled after everything before it. */
  receive(payload: string): void {
    const envelope = decodeEnvelope(payload);
    if (envelope === undefined) return;
    this.inbound = this.inbound
      .then(() => this.accept(envelope))
      .catch((error: unknown) => this.options.onWarning?.('broadcast.delivery_failed', { error: String(error) }));
  }

  /** Resolves once everything received so far is handled. */
  drained(): Promise<void> {
    return this.inbound;
  }

  /** Runs a catch-up that failed before, if any: the commands link is back. */
  retryCatchUp(): void {
    if (this.catchUpPending) this.catchUp();
  }

  /** After the subscriber link came back: whatever each room published meanwhile is recovered. */
  catchUp(): void {
    this.inbound = this.inbound
      .then(async () => {
        for (const key of [...this.sequencer.followed()]) await this.catchUpRoom(key);
      })
      .then(() => {
        this.catchUpPending = false;
      })
      .catch((error: unknown) => {
        this.catchUpPending = true;
        this.options.onWarning?.('broadcast.catch_up_failed', { error: String(error) });
        // Redis answered the subscriber but not yet the reads (a shard still failing over): try
        // again, or what was published meanwhile waits for the room's next message to show.
        if (!this.catchUpRetrying) {
          // One retry at a time, however many catch-ups failed meanwhile.
          this.catchUpRetrying = true;
          setTimeout(() => {
            this.catchUpRetrying = false;
            this.catchUp();
          }, 500).unref();
        }
      });
  }

  private async catchUpRoom(key: string): Promise<void> {
    const room = roomOf(key);
    const counter = await this.options.history.counter(room);
    const position = this.sequencer.position(key);
    if (counter === undefined || position === undefined) return;
    const { epoch, latest } = counter;
    if (position.epoch !== epoch) {
      // The counter started again (Redis lost it): everything it numbered is new here.
      await this.recover(room, epoch, Number(epoch) + 1, latest, { throwing: true });
      return;
    }
    // Not only what follows the last number delivered: a replica promoted meanwhile may have
    // given numbers this node delivered to other messages, which only their senders tell apart.
    // (A counter behind this node is left as it is: its senders raise it before they send.)
    const from = Math.max(this.sequencer.firstOwn(key, epoch), Math.min(position.last, latest) - RENUMBERED_WINDOW + 1);
    if (from > latest) return;
    await this.recover(room, epoch, from, latest, { throwing: true, lostFrom: position.last + 1 });
  }

  private async accept(envelope: RoomEnvelope): Promise<void> {
    if (envelope.kind === 'presence') {
      if (this.presenceSeen.accept(envelope.origin, envelope.originSequence).duplicate) return;
      await this.handler.deliver({ kind: 'presence', change: envelope.change });
      return;
    }
    const { draft, epoch, sequence, origin, originSequence } = envelope;
    const key = roomKey(draft.room);
    if (!this.sequencer.following(key)) return;
    const arrival = this.sequencer.arrive(key, epoch, sequence);
    const seen = this.seenIn(key);
    if (arrival.action === 'drop') {
      // Delivered before (or numbered before this node listened), unless its sender never sent it
      // before: then the number was given again.
      if (sequence < this.sequencer.firstOwn(key, epoch) || seen.seen(origin, originSequence)) return;
      await this.renumbered(draft.room, epoch, sequence);
    } else if (arrival.action === 'fill') {
      await this.recover(draft.room, epoch, arrival.from, arrival.to);
    }
    if (seen.accept(origin, originSequence).duplicate) {
      // Delivered before under another number (stored again by a promoted replica): skip, keep counting.
      this.sequencer.delivered(key, epoch, sequence);
      return;
    }
    await this.deliverMessage(envelope);
  }

  /**
   * A new message under a number this node delivered already: the room's master was replaced by
   * a replica that lacked the last numbers. The room goes back to before it, and what else the
   * replica numbered meanwhile and this node has not delivered is delivered first.
   */
  private async renumbered(room: RoomName | null, epoch: string, sequence: number): Promise<void> {
    const key = roomKey(room);
    this.options.onWarning?.('broadcast.renumbered', { room: room ?? '*', from: sequence });
    this.sequencer.rewind(key, epoch, sequence - 1);
    const from = Math.max(this.sequencer.firstOwn(key, epoch), sequence - RENUMBERED_WINDOW);
    if (from <= sequence - 1) await this.recover(room, epoch, from, sequence - 1, { lostFrom: sequence });
  }

  private seenIn(key: string): SequenceFilter {
    let seen = this.messagesSeen.get(key);
    if (seen === undefined) {
      seen = new SequenceFilter();
      this.messagesSeen.set(key, seen);
    }
    return seen;
  }

  private async deliverMessage({ draft, epoch, sequence, origin }: MessageEnvelope): Promise<void> {
    const message = { id: formatMessageId(sequence), ...draft };
    await this.handler.deliver({ kind: 'message', message, own: origin === this.options.nodeId });
    this.sequencer.delivered(roomKey(draft.room), epoch, sequence);
  }

  /**
   * Delivers what the history holds of sequences `from` to `to` and this node has not delivered,
   * and announces as lost the numbers from `lostFrom` on that it no longer holds. A failed read
   * rejects when `throwing` (a catch-up tries again), else counts as nothing held.
   */
  private async recover(
    room: RoomName | null,
    epoch: string,
    from: number,
    to: number,
    { throwing = false, lostFrom = from }: { throwing?: boolean; lostFrom?: number } = {},
  ): Promise<void> {
    const read = this.options.history.entries(room, from, to);
    const found: StoredMessage[] = throwing ? await read : await read.catch(() => []);
    const key = roomKey(room);
    const seen = this.seenIn(key);
    let held = 0;
    let recovered = 0;
    for (const { message, origin, originSequence } of found) {
      const sequence = Number(message.id);
      if (sequence >= lostFrom) held++;
      // Entries stored without an origin number (appended by hand) cannot be told apart: delivered.
      const known = origin !== '' && originSequence > 0;
      if (!known || !seen.accept(origin, originSequence).duplicate) {
        await this.handler.deliver({ kind: 'message', message, own: origin === this.options.nodeId });
        recovered++;
      }
      this.sequencer.delivered(key, epoch, sequence);
    }
    const missing = Math.max(0, to - Math.max(from, lostFrom) + 1 - held);
    if (missing > 0 || recovered > 0)
      this.options.onWarning?.('broadcast.gap', { room: room ?? '*', recovered, missing });
    if (missing > 0) await this.handler.deliver({ kind: 'lost', room, count: missing });
    if (to >= from) this.sequencer.delivered(key, epoch, to);
  }
}

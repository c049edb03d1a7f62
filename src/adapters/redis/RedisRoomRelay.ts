import { ReplyError } from 'ioredis';
import type { MessageDraft, PresenceChange, Publication, RelayedEvent, RoomName } from '../../domain/index.js';
import { formatMessageId } from '../../domain/index.js';
import { type HeldFrame, HeldFrames } from './HeldFrames.js';
import { channelListeners, publish, type RedisClient } from './RedisClient.js';
import type { RedisKeys } from './RedisKeys.js';
import type { RedisMessageHistory } from './RedisMessageHistory.js';
import type { RedisSubscriber } from './RedisSubscriber.js';
import { RoomSequencer } from './RoomSequencer.js';
import { decodeEnvelope, encodePresence, type MessageEnvelope, type RoomEnvelope } from './roomEnvelope.js';
import { DEFAULT_LATE_WINDOW, SequenceFilter } from './SequenceFilter.js';
import { withTimeout } from './withTimeout.js';

export interface RedisRoomRelayOptions {
  /** The commands connection (fails fast while disconnected). */
  readonly redis: RedisClient;
  readonly subscriber: RedisSubscriber;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /** Numbers, stores and reads back room messages. */
  readonly history: RedisMessageHistory;
  /** Most publications held while Redis is unreachable (or not yet acknowledged). */
  readonly maxHeldFrames?: number;
  /** Most bytes of publications held. */
  readonly maxHeldBytes?: number;
  /** After a reconnect, how long to wait for the other nodes to subscribe again before sending. */
  readonly resumeWaitMs?: number;
  /** Failures and anomalies worth a log line; never message bodies. */
  readonly onWarning?: (event: string, fields: Record<string, unknown>) => void;
}

/** What a node does with what the cluster publishes: deliver it to its own audience. */
export interface RelayedEventHandler {
  deliver(event: RelayedEvent): Promise<void>;
}

type Pending =
  | { readonly kind: 'message'; readonly draft: MessageDraft; readonly originSequence: number }
  | { readonly kind: 'presence'; readonly change: PresenceChange; readonly originSequence: number };

const roomKey = (room: RoomName | null): string => room ?? '';

/** How long an acknowledged message is kept, to be sent again if a failover lost it. */
const ACKNOWLEDGED_KEPT_MS = 10_000;

/**
 * What a Redis Cluster answers while a shard fails over or its slots move: the command may
 * succeed once the cluster settles, so the publication is held and sent again, not dropped.
 */
const TRANSIENT_REPLIES = /^(CLUSTERDOWN|TRYAGAIN|LOADING|READONLY|MASTERDOWN|MOVED|ASK|NOREPLICAS|BUSY)\b/;

/** Redis itself refused the command for good: sending it again cannot help. */
const refused = (error: unknown): boolean =>
  error instanceof ReplyError && !TRANSIENT_REPLIES.test((error as Error).message);

/**
 * Carries each room's publications between the nodes of the cluster. A message costs one Redis
 * command whatever its audience: the append script numbers it, stores it in the room's history
 * and publishes it on the room's channel. Every node, the sender's included, listens to the
 * channels of the rooms it has members in (and to the global one) and delivers each room's
 * messages once, in id order; a gap (a lost link) is filled from the history, and what the
 * history no longer holds is announced to the room's members rather than lost silently.
 *
 * While Redis is unreachable, publications are held in order and bounded; once the link is back
 * and the other nodes listen again (or `resumeWaitMs` passed) they are sent. A message sent
 * twice is stored once: the script drops a repeated origin sequence.
 */
export class RedisRoomRelay {
  private readonly heldFrames: HeldFrames<Pending>;
  private readonly lateWindow: number;
  private originSequence = 0;
  private open = true;
  private generation = 0;
  private subscribers = 1;
  /** Nodes listening when the link was lost: a resume waits for as many to listen again. */
  private listenersBeforeLoss = 1;
  private readonly sequencer = new RoomSequencer();
  private readonly presenceSeen: SequenceFilter;
  /** Per room, each origin's messages delivered: a copy stored again after a failover is not delivered twice. */
  private readonly messagesSeen = new Map<string, SequenceFilter>();
  /**
   * Messages Redis acknowledged in the last seconds, oldest first, bounded like the hold: a
   * master demoted in a failover may have acknowledged some that its successor never received.
   */
  private readonly acknowledged: Array<{ readonly pending: Pending & { kind: 'message' }; readonly at: number }> = [];
  /** A catch-up failed (the commands link was still down): it runs again on the next resume. */
  private catchUpPending = false;
  /** A failed catch-up's retry is scheduled. */
  private catchUpRetrying = false;
  private readonly listeners = new Map<string, number>();
  private inbound: Promise<void> = Promise.resolve();
  private handler: RelayedEventHandler = { deliver: async () => {} };

  constructor(private readonly options: RedisRoomRelayOptions) {
    const maxHeldFrames = options.maxHeldFrames ?? 1000;
    this.heldFrames = new HeldFrames(maxHeldFrames, options.maxHeldBytes ?? 16 * 1024 * 1024);
    // A node's late or resent publications are among its last held and acknowledged ones.
    this.lateWindow = Math.max(DEFAULT_LATE_WINDOW, 4 * maxHeldFrames);
    this.presenceSeen = new SequenceFilter(this.lateWindow);
  }

  /** Listens to the global channel and follows the links' state; `handler` gets what arrives. */
  async start(handler: RelayedEventHandler): Promise<void> {
    this.handler = handler;
    const { redis, subscriber } = this.options;
    await this.retain(null);
    redis.on('close', () => this.closed());
    redis.on('ready', () => void this.resume(++this.generation));
    subscriber.onResubscribed(() => this.catchUp());
    this.subscribers = await this.countSubscribers();
  }

  /** This node has one more member of `room`: its channel is listened to from the first. */
  async retain(room: RoomName | null): Promise<void> {
    const key = roomKey(room);
    const count = (this.listeners.get(key) ?? 0) + 1;
    this.listeners.set(key, count);
    if (count > 1) return;
    this.sequencer.follow(key);
    const subscribed = this.options.subscriber.subscribe(this.options.keys.roomChannel(room), (payload) =>
      this.receive(payload),
    );
    // Offline, ioredis sends the subscription once the link is back: a join need not wait for that.
    if (this.options.subscriber.ready) await withTimeout(subscribed, 2000).catch(() => {});
    // Where the room stands now: what follows is this node's to deliver, and a later gap shows.
    const counter = await this.options.history.counter(room).catch(() => undefined);
    if (counter !== undefined) this.sequencer.start(key, counter.epoch, counter.latest);
  }

  /** Publications held for the other nodes, not yet acknowledged by Redis. */
  get held(): number {
    return this.heldFrames.size;
  }

  /** The rooms this node listens to for its members (the global audience aside). */
  rooms(): RoomName[] {
    return [...this.listeners.keys()].filter((key) => key !== '') as RoomName[];
  }

  /** This node has one member of `room` fewer: its channel is left with the last. */
  async release(room: RoomName | null): Promise<void> {
    const key = roomKey(room);
    const count = (this.listeners.get(key) ?? 0) - 1;
    if (count > 0) {
      this.listeners.set(key, count);
      return;
    }
    this.listeners.delete(key);
    this.sequencer.forget(key);
    this.messagesSeen.delete(key);
    await this.options.subscriber.unsubscribe(this.options.keys.roomChannel(room)).catch(() => {});
  }

  /** Sends `publication` now, or holds it; throws `PeersUnreachableError` when the hold is full. */
  async publish(publication: Publication): Promise<void> {
    const originSequence = this.originSequence + 1;
    const pending: Pending =
      publication.kind === 'message'
        ? { kind: 'message', draft: publication.draft, originSequence }
        : { kind: 'presence', change: publication.change, originSequence };
    const bytes = publication.kind === 'message' ? Buffer.byteLength(publication.draft.data) : 256;
    const frame = this.heldFrames.hold(pending, bytes);
    this.originSequence = originSequence;
    if (this.open) this.send(frame);
  }

  /**
   * How many nodes (this one included) are known to listen, as the heartbeat last counted them.
   * After a reconnect, held publications wait until that many have subscribed again.
   */
  expectNodes(count: number): void {
    this.subscribers = Math.max(count, 1);
  }

  /** Stops receiving; waits up to `timeoutMs` for held publications to go out; resolves with those that did not. */
  async stop(timeoutMs = 1000): Promise<number> {
    for (const key of [...this.listeners.keys()]) {
      this.listeners.delete(key);
      await this.options.subscriber
        .unsubscribe(this.options.keys.roomChannel(key === '' ? null : (key as RoomName)))
        .catch(() => {});
    }
    const deadline = Date.now() + timeoutMs;
    while (this.heldFrames.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.inbound;
    return this.heldFrames.size;
  }

  private send(frame: HeldFrame<Pending>): void {
    const attempt = ++frame.attempt;
    frame.sent = true;
    const { redis, keys, nodeId, history } = this.options;
    const { payload } = frame;
    const room = payload.kind === 'message' ? payload.draft.room : payload.change.room;
    const channel = keys.roomChannel(room);
    const sent =
      payload.kind === 'message'
        ? history.store(payload.draft, { channel, origin: nodeId, originSequence: payload.originSequence })
        : publish(redis, channel, encodePresence(nodeId, payload.originSequence, payload.change));
    sent.then(
      () => {
        // An acknowledgement from before a lost link: the frame goes out again after the resume.
        if (frame.attempt !== attempt) return;
        this.heldFrames.release(frame);
        if (payload.kind === 'message') this.remember(payload);
      },
      (error: unknown) => {
        if (frame.attempt !== attempt) return;
        if (refused(error)) {
          this.heldFrames.release(frame);
          this.options.onWarning?.('broadcast.publish_refused', { error: String(error) });
          return;
        }
        // The link is down (perhaps not noticed yet), or the room's shard is failing over.
        this.closed();
      },
    );
  }

  /**
   * The link dropped. Publications in flight are sent again after the resume, once the other
   * nodes listen again: ioredis may resend them sooner, and the script drops the second copy.
   */
  private closed(): void {
    this.heldFrames.unsendAll();
    if (!this.open) return;
    this.open = false;
    this.listenersBeforeLoss = this.subscribers;
    this.resumeLater();
  }

  /** A link that failed without ever closing (a stalled Redis) gets no ready event: look again. */
  private resumeLater(): void {
    setTimeout(() => {
      if (!this.open && this.options.redis.status === 'ready') void this.resume(++this.generation);
    }, 1000).unref();
  }

  private async resume(generation: number): Promise<void> {
    // Not the latest count alone: right after a Redis restart a heartbeat sees only the nodes
    // that have registered again, which would let held frames go out before the others listen.
    const expected = Math.max(this.subscribers, this.listenersBeforeLoss);
    const deadline = Date.now() + (this.options.resumeWaitMs ?? 5000);
    try {
      while ((await this.countSubscribers()) < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (generation !== this.generation) return;
      }
    } catch {
      // Still unreachable: the next ready event resumes, or the next look if none comes.
      if (generation === this.generation) this.resumeLater();
      return;
    }
    if (generation !== this.generation || this.options.redis.status !== 'ready') return;
    try {
      await this.raiseCounters();
    } catch {
      if (generation === this.generation) this.resumeLater();
      return;
    }
    if (generation !== this.generation) return;
    try {
      await this.resendUnreplicated();
    } catch {
      if (generation === this.generation) this.resumeLater();
      return;
    }
    if (generation !== this.generation) return;
    const waiting = this.heldFrames.unsent();
    if (waiting.length > 0) this.options.onWarning?.('broadcast.resumed', { held: waiting.length });
    for (const frame of waiting) this.send(frame);
    this.open = true;
    if (this.catchUpPending) this.catchUp();
  }

  /**
   * A replica promoted after a failover may lack the last writes of the master it replaces, its
   * room counters among them: numbers this node already delivered would be given again, and
   * dropped as repeats. Each room's counter is raised to what this node saw before sending.
   */
  private async raiseCounters(): Promise<void> {
    const raised = [...this.listeners.keys()].map((key) => {
      const position = this.sequencer.position(key);
      if (position?.epoch === undefined) return undefined;
      return this.options.history.raise(key === '' ? null : (key as RoomName), position.epoch, position.last);
    });
    await Promise.all(raised);
  }

  private remember(pending: Pending & { kind: 'message' }): void {
    const now = Date.now();
    this.acknowledged.push({ pending, at: now });
    const limit = this.options.maxHeldFrames ?? 1000;
    while (
      this.acknowledged.length > limit ||
      (this.acknowledged[0] !== undefined && this.acknowledged[0].at < now - ACKNOWLEDGED_KEPT_MS)
    ) {
      this.acknowledged.shift();
    }
  }

  /**
   * Sends again, under their own origin sequence, the messages acknowledged lately that Redis no
   * longer records (its successor never received them): the nodes that had them drop the copy.
   * A room whose record is gone altogether (a Redis that lost everything) is left alone.
   */
  private async resendUnreplicated(): Promise<void> {
    const { redis, keys, nodeId, history } = this.options;
    const rooms = new Map<string, Array<Pending & { kind: 'message' }>>();
    for (const { pending } of this.acknowledged) {
      const key = roomKey(pending.draft.room);
      const sent = rooms.get(key);
      if (sent === undefined) rooms.set(key, [pending]);
      else sent.push(pending);
    }
    for (const [key, sent] of rooms) {
      const room = key === '' ? null : (key as RoomName);
      const recorded = await redis.hget(keys.roomOrigins(room), nodeId);
      if (recorded === null) continue;
      const lost = sent.filter(({ originSequence }) => originSequence > Number(recorded));
      if (lost.length === 0) continue;
      this.options.onWarning?.('broadcast.resent_after_failover', { room: room ?? '*', count: lost.length });
      const channel = keys.roomChannel(room);
      for (const { draft, originSequence } of lost)
        await history.store(draft, { channel, origin: nodeId, originSequence });
    }
  }

  private countSubscribers(): Promise<number> {
    return channelListeners(this.options.redis, this.options.keys.roomChannel(null));
  }

  private receive(payload: string): void {
    const envelope = decodeEnvelope(payload);
    if (envelope === undefined) return;
    this.inbound = this.inbound
      .then(() => this.accept(envelope))
      .catch((error: unknown) => this.options.onWarning?.('broadcast.delivery_failed', { error: String(error) }));
  }

  private async accept(envelope: RoomEnvelope): Promise<void> {
    if (envelope.kind === 'presence') {
      if (this.presenceSeen.accept(envelope.origin, envelope.originSequence).duplicate) return;
      await this.handler.deliver({ kind: 'presence', change: envelope.change });
      return;
    }
    const { draft, epoch, sequence } = envelope;
    const key = roomKey(draft.room);
    const arrival = this.sequencer.arrive(key, epoch, sequence);
    if (arrival.action === 'drop') return;
    if (arrival.action === 'fill') await this.recover(draft.room, epoch, arrival.from, arrival.to);
    const seen = this.messagesSeen.get(key) ?? new SequenceFilter(this.lateWindow);
    this.messagesSeen.set(key, seen);
    if (seen.accept(envelope.origin, envelope.originSequence).duplicate) {
      // Delivered before under another number (stored again by a promoted replica): skip, keep counting.
      this.sequencer.delivered(key, epoch, sequence);
      return;
    }
    await this.deliverMessage(envelope);
  }

  private async deliverMessage({ draft, epoch, sequence, origin }: MessageEnvelope): Promise<void> {
    const message = { id: formatMessageId(sequence), ...draft };
    await this.handler.deliver({ kind: 'message', message, own: origin === this.options.nodeId });
    this.sequencer.delivered(roomKey(draft.room), epoch, sequence);
  }

  /** Delivers what the history still holds of sequences `from` to `to`, and announces the rest as lost. */
  private async recover(room: RoomName | null, epoch: string, from: number, to: number): Promise<void> {
    const found = await this.options.history.entries(room, from, to).catch(() => []);
    for (const { message, origin } of found) {
      await this.handler.deliver({ kind: 'message', message, own: origin === this.options.nodeId });
      this.sequencer.delivered(roomKey(room), epoch, Number(message.id));
    }
    const missing = to - from + 1 - found.length;
    this.options.onWarning?.('broadcast.gap', { room: room ?? '*', recovered: found.length, missing });
    if (missing > 0) await this.handler.deliver({ kind: 'lost', room, count: missing });
    if (to >= from) this.sequencer.delivered(roomKey(room), epoch, to);
  }

  /** After the subscriber link came back: whatever each room published meanwhile is recovered. */
  private catchUp(): void {
    this.inbound = this.inbound
      .then(async () => {
        for (const key of this.listeners.keys()) {
          const room = key === '' ? null : (key as RoomName);
          const counter = await this.options.history.counter(room);
          const position = this.sequencer.position(key);
          if (counter === undefined || position === undefined) continue;
          if (position.epoch !== counter.epoch) {
            // The counter started again (Redis lost it): everything it numbered is new here.
            await this.recover(room, counter.epoch, Number(counter.epoch) + 1, counter.latest);
          } else if (counter.latest > position.last) {
            await this.recover(room, counter.epoch, position.last + 1, counter.latest);
          }
        }
      })
      .then(() => {
        this.catchUpPending = false;
      })
      .catch((error: unknown) => {
        this.catchUpPending = true;
        this.options.onWarning?.('broadcast.catch_up_failed', { error: String(error) });
        // Redis answered the subscriber but not yet the reads (a shard still failing over): try
        // again, or what was published meanwhile waits for the room's next message to show.
        if (this.listeners.size > 0 && !this.catchUpRetrying) {
          // One retry at a time, however many catch-ups failed meanwhile.
          this.catchUpRetrying = true;
          setTimeout(() => {
            this.catchUpRetrying = false;
            this.catchUp();
          }, 500).unref();
        }
      });
  }
}

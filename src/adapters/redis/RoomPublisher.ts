import { ReplyError } from 'ioredis';
import type { MessageDraft, PresenceChange, Publication, RoomName } from '../../domain/index.js';
import { type HeldFrame, HeldFrames } from './HeldFrames.js';
import { channelListeners, publish, type RedisClient } from './RedisClient.js';
import type { RedisKeys } from './RedisKeys.js';
import { OriginGapError, type RedisMessageHistory } from './RedisMessageHistory.js';
import { roomKey, roomOf } from './RoomReceiver.js';
import { encodePresence } from './roomEnvelope.js';

export interface RoomPublisherOptions {
  /** The commands connection (fails fast while disconnected). */
  readonly redis: RedisClient;
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
  /** Each followed room's epoch and last number delivered: a promoted replica's counters are raised to them. */
  readonly positions: () => ReadonlyArray<{ room: RoomName | null; epoch: string; last: number }>;
  /** Called once held publications went out again after a lost link. */
  readonly onResumed?: () => void;
}

/** A message carries its sender's own number in its room, and the number it must follow. */
type PendingMessage = {
  readonly kind: 'message';
  readonly draft: MessageDraft;
  readonly originSequence: number;
  after: number;
};
type Pending =
  | PendingMessage
  | { readonly kind: 'presence'; readonly change: PresenceChange; readonly originSequence: number };

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
 * Sends a node's publications to Redis: a message through the append script, which numbers,
 * stores and publishes it; a presence change with a plain publication. While Redis is unreachable
 * publications are held in order and bounded; once the link is back and the other nodes listen
 * again (or `resumeWaitMs` passed) they are sent, in order. A node numbers its messages to each
 * room consecutively, and the script stores them in that order and each once, so a resend is never
 * stored twice and a message that overtook an earlier one is refused and sent again after it.
 */
export class RoomPublisher {
  private readonly heldFrames: HeldFrames<Pending>;
  /**
   * The last origin sequence given in each room this node has members in. A room starts (or, once
   * forgotten, starts again) above every number this node gave in any room (`numbered`), so its
   * next message never looks like a repeat of what Redis still records for it.
   */
  private readonly roomSequences = new Map<string, number>();
  /** The highest origin sequence this node gave, in any room. */
  private numbered = 0;
  private presenceSequence = 0;
  private open = true;
  private generation = 0;
  private subscribers = 1;
  /** Nodes listening when the link was lost: a resume waits for as many to listen again. */
  private listenersBeforeLoss = 1;
  /**
   * Messages Redis acknowledged in the last seconds, oldest first, bounded like the hold: a
   * master demoted in a failover may have acknowledged some that its successor never received.
   */
  private readonly acknowledged: Array<{ readonly pending: PendingMessage; readonly at: number }> = [];

  constructor(private readonly options: RoomPublisherOptions) {
    this.heldFrames = new HeldFrames(options.maxHeldFrames ?? 1000, options.maxHeldBytes ?? 16 * 1024 * 1024);
  }

  /** Follows the commands link's state, and counts the nodes listening. */
  async start(): Promise<void> {
    const { redis } = this.options;
    redis.on('close', () => this.closed());
    redis.on('ready', () => void this.resume(++this.generation));
    this.subscribers = await this.countSubscribers();
  }

  get held(): number {
    return this.heldFrames.size;
  }

  /** Sends `publication` now, or holds it; throws `PeersUnreachableError` when the hold is full. */
  publish(publication: Publication): void {
    if (publication.kind === 'presence') {
      const pending: Pending = {
        kind: 'presence',
        change: publication.change,
        originSequence: this.presenceSequence + 1,
      };
      const frame = this.heldFrames.hold(pending, 256);
      this.presenceSequence++;
      if (this.open) this.send(frame);
      return;
    }
    const key = roomKey(publication.draft.room);
    const last = this.roomSequences.get(key);
    const originSequence = (last ?? this.numbered) + 1;
    // A room started anew has no predecessor to wait for.
    const pending: Pending = { kind: 'message', draft: publication.draft, originSequence, after: last ?? 0 };
    const frame = this.heldFrames.hold(pending, Buffer.byteLength(publication.draft.data));
    this.roomSequences.set(key, originSequence);
    this.numbered = Math.max(this.numbered, originSequence);
    if (this.open) this.send(frame);
  }

  /**
   * This node has no member of `room` left: its number is forgotten, so the rooms a node has
   * been through cost nothing once left. Kept while a message to it is held or may be resent
   * after a failover, which must stay in order with what follows.
   */
  forget(room: RoomName | null): void {
    const key = roomKey(room);
    const inRoom = (pending: Pending) => pending.kind === 'message' && roomKey(pending.draft.room) === key;
    if (this.heldFrames.some(inRoom) || this.acknowledged.some(({ pending }) => inRoom(pending))) return;
    this.roomSequences.delete(key);
  }

  /** How many nodes (this one included) the heartbeat last counted. */
  expectNodes(count: number): void {
    this.subscribers = Math.max(count, 1);
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
        ? history.store(payload.draft, {
            channel,
            origin: nodeId,
            originSequence: payload.originSequence,
            after: payload.after,
          })
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
        if (error instanceof OriginGapError && payload.kind === 'message') {
          this.gap(frame, payload, error.recorded);
        } else if (refused(error)) {
          this.heldFrames.release(frame);
          this.options.onWarning?.('broadcast.publish_refused', { error: String(error) });
        } else {
          // The link is down (perhaps not noticed yet), or the room's shard is failing over.
          this.closed();
        }
      },
    );
  }

  /**
   * The script refused `payload` because the one before it is not stored. If this node still has
   * that one (held, or acknowledged lately by a master that failed since), everything goes out
   * again in order after a resume; if not (refused for good, or acknowledged too long ago), the
   * room is told to skip the missing numbers.
   */
  private gap(frame: HeldFrame<Pending>, payload: PendingMessage, recorded: number): void {
    const key = roomKey(payload.draft.room);
    const between = (pending: Pending) =>
      pending !== payload &&
      pending.kind === 'message' &&
      roomKey(pending.draft.room) === key &&
      pending.originSequence > recorded &&
      pending.originSequence < payload.originSequence;
    if (this.heldFrames.some(between) || this.acknowledged.some(({ pending }) => between(pending))) {
      this.closed();
      return;
    }
    this.options.onWarning?.('broadcast.origin_gap', {
      room: payload.draft.room ?? '*',
      skipped: payload.originSequence - recorded - 1,
    });
    payload.after = recorded;
    if (this.open) this.send(frame);
    else frame.sent = false;
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

  /** A link that failed without ever closing (a stalled Redis, a failing shard) gets no ready event: look again. */
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
    const current = () => generation === this.generation;
    try {
      while ((await this.countSubscribers()) < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (!current()) return;
      }
      if (!current() || this.options.redis.status !== 'ready') return;
      // A promoted replica has no script cached: a miss answered late would let later messages
      // overtake earlier ones (the script refuses those, but each refusal costs a resume).
      await this.options.history.load();
      if (!current()) return;
      await this.raiseCounters();
      if (!current()) return;
      await this.resendUnreplicated();
    } catch {
      // Still unreachable: the next ready event resumes, or the next look if none comes.
      if (current()) this.resumeLater();
      return;
    }
    if (!current()) return;
    const waiting = this.heldFrames.unsent();
    if (waiting.length > 0) this.options.onWarning?.('broadcast.resumed', { held: waiting.length });
    for (const frame of waiting) this.send(frame);
    this.open = true;
    this.options.onResumed?.();
  }

  /**
   * A replica promoted after a failover may lack the last writes of the master it replaces, its
   * room counters among them: numbers this node already delivered would be given again. Each
   * room's counter is raised to what this node saw before sending (receivers tell a number given
   * again by its sender's own number, should another node send first).
   */
  private async raiseCounters(): Promise<void> {
    const { history } = this.options;
    await Promise.all(this.options.positions().map(({ room, epoch, last }) => history.raise(room, epoch, last)));
  }

  private remember(pending: PendingMessage): void {
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
   * Sends again, in order, the messages acknowledged lately that Redis no longer records (its
   * successor never received them): the nodes that had them drop the copy. A room whose record is
   * gone altogether (a Redis that lost everything) is left alone.
   */
  private async resendUnreplicated(): Promise<void> {
    const { redis, keys, nodeId, history } = this.options;
    const rooms = new Map<string, PendingMessage[]>();
    for (const { pending } of this.acknowledged) {
      const key = roomKey(pending.draft.room);
      const sent = rooms.get(key);
      if (sent === undefined) rooms.set(key, [pending]);
      else sent.push(pending);
    }
    for (const [key, sent] of rooms) {
      const room = roomOf(key);
      const recorded = await redis.hget(keys.roomOrigins(room), nodeId);
      if (recorded === null) continue;
      const lost = sent.filter(({ originSequence }) => originSequence > Number(recorded));
      if (lost.length === 0) continue;
      this.options.onWarning?.('broadcast.resent_after_failover', { room: room ?? '*', count: lost.length });
      const channel = keys.roomChannel(room);
      // The first follows whatever is recorded: older ones are no longer held to send again.
      let after = Number(recorded);
      for (const { draft, originSequence } of lost) {
        await history.store(draft, { channel, origin: nodeId, originSequence, after });
        after = originSequence;
      }
    }
  }

  private countSubscribers(): Promise<number> {
    return channelListeners(this.options.redis, this.options.keys.roomChannel(null));
  }
}

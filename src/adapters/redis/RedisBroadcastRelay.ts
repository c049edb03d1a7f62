import { type Redis, ReplyError } from 'ioredis';
import { type HeldFrame, HeldFrames } from './HeldFrames.js';
import type { RedisKeys } from './RedisKeys.js';
import type { RedisSubscriber } from './RedisSubscriber.js';
import { decodeEnvelope, encodeEnvelope } from './RelayEnvelope.js';
import { SequenceFilter } from './SequenceFilter.js';

export interface RedisBroadcastRelayOptions {
  /** The commands connection (fails fast while disconnected). */
  readonly redis: Redis;
  readonly subscriber: RedisSubscriber;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /** Most frames held while Redis is unreachable (or not yet acknowledged). */
  readonly maxHeldFrames?: number;
  /** Most bytes of frames held. */
  readonly maxHeldBytes?: number;
  /** After a reconnect, how long to wait for the other nodes to subscribe again before sending. */
  readonly resumeWaitMs?: number;
  /** Failures and anomalies worth a log line; never message bodies. */
  readonly onWarning?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Relays each broadcast with one PUBLISH of its envelope (origin node, sequence, frame). Every
 * node subscribes to the one channel and hands the frames of the others to its audience.
 *
 * While Redis is unreachable frames are held, in order and bounded; once the connection is back
 * and the other nodes have subscribed again (or `resumeWaitMs` passed) they are published. A
 * frame may then reach Redis twice; receivers drop what they have seen by its sequence number.
 */
export class RedisBroadcastRelay {
  private readonly held: HeldFrames;
  private sequence = 0;
  private open = true;
  private generation = 0;
  private subscribers = 1;
  /** Nodes listening when the link was lost: a resume waits for as many to listen again. */
  private listenersBeforeLoss = 1;
  private readonly seen = new SequenceFilter();
  private inbound: Promise<void> = Promise.resolve();
  private deliver: (frame: string) => Promise<unknown> = async () => {};

  constructor(private readonly options: RedisBroadcastRelayOptions) {
    this.held = new HeldFrames(options.maxHeldFrames ?? 1000, options.maxHeldBytes ?? 16 * 1024 * 1024);
  }

  /**
   * Subscribes to the broadcast channel and follows the connection's state. `deliver` hands a
   * frame another node relayed to this node's audience, one frame at a time, in arrival order.
   */
  async start(deliver: (frame: string) => Promise<unknown>): Promise<void> {
    const { redis, subscriber, keys } = this.options;
    this.deliver = deliver;
    await subscriber.subscribe(keys.broadcastChannel, (message) => this.receive(message));
    redis.on('close', () => this.closed());
    redis.on('ready', () => void this.resume(++this.generation));
    this.subscribers = await this.countSubscribers();
  }

  /** Publishes `frame` once for the other nodes, or holds it; throws `PeersUnreachableError` when full. */
  async relay(frame: string): Promise<void> {
    const payload = encodeEnvelope({ origin: this.options.nodeId, sequence: this.sequence + 1, frame });
    const held = this.held.hold(payload, Buffer.byteLength(frame));
    this.sequence++;
    if (this.open) this.send(held);
  }

  /**
   * How many nodes (this one included) are known to listen, as the heartbeat last counted them.
   * After a reconnect, held frames wait until that many have subscribed again.
   */
  expectNodes(count: number): void {
    this.subscribers = Math.max(count, 1);
  }

  /** Frames not yet acknowledged by Redis. */
  get pending(): number {
    return this.held.size;
  }

  /** Stops receiving; waits up to `timeoutMs` for held frames to go out; resolves with those that did not. */
  async stop(timeoutMs = 1000): Promise<number> {
    await this.options.subscriber.unsubscribe(this.options.keys.broadcastChannel).catch(() => {});
    const deadline = Date.now() + timeoutMs;
    while (this.held.size > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.inbound;
    return this.held.size;
  }

  private send(frame: HeldFrame): void {
    const attempt = ++frame.attempt;
    frame.sent = true;
    this.options.redis.publish(this.options.keys.broadcastChannel, frame.payload).then(
      (receivers) => {
        // An acknowledgement from before a lost link: the frame goes out again after the resume.
        if (frame.attempt !== attempt) return;
        this.subscribers = Math.max(this.subscribers, receivers);
        this.held.release(frame);
      },
      (error: unknown) => {
        if (frame.attempt !== attempt) return;
        if (error instanceof ReplyError) {
          // Redis itself refused the command: retrying cannot help.
          this.held.release(frame);
          this.options.onWarning?.('broadcast.publish_refused', { error: String(error) });
          return;
        }
        // The link is down, perhaps not noticed yet.
        this.closed();
      },
    );
  }

  /**
   * The link dropped. Frames in flight are sent again after the resume, once the other nodes
   * listen again: ioredis may resend them sooner, before every node has resubscribed, and a
   * node that gets one twice drops the second by its sequence number.
   */
  private closed(): void {
    this.held.unsendAll();
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
    const waiting = this.held.unsent();
    if (waiting.length > 0) this.options.onWarning?.('broadcast.resumed', { held: waiting.length });
    for (const frame of waiting) this.send(frame);
    this.open = true;
  }

  private async countSubscribers(): Promise<number> {
    const reply = (await this.options.redis.call('PUBSUB', 'NUMSUB', this.options.keys.broadcastChannel)) as unknown[];
    return Number(reply[1] ?? 0);
  }

  private receive(message: string): void {
    const envelope = decodeEnvelope(message);
    if (envelope === undefined || envelope.origin === this.options.nodeId) return;
    const { origin, sequence, frame } = envelope;
    const verdict = this.seen.accept(origin, sequence);
    if (verdict.duplicate) return;
    if (verdict.missing > 0) this.options.onWarning?.('broadcast.gap', { origin, missing: verdict.missing });
    this.inbound = this.inbound
      .then(() => this.deliver(frame))
      .then(
        () => undefined,
        (error: unknown) => this.options.onWarning?.('broadcast.delivery_failed', { error: String(error) }),
      );
  }
}

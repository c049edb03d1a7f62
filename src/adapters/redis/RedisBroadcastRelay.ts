import { type Redis, ReplyError } from 'ioredis';
import { type BroadcastRelay, PeersUnreachableError } from '../../domain/index.js';
import type { RedisKeys } from './RedisKeys.js';
import type { RedisSubscriber } from './RedisSubscriber.js';
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

interface Held {
  readonly payload: string;
  readonly bytes: number;
  sent: boolean;
}

/**
 * Relays each broadcast with one PUBLISH, tagged `<node id>\n<sequence>\n<frame>`. Every node
 * subscribes to the one channel and hands frames from the others to `onBroadcast`.
 *
 * While Redis is unreachable frames are held, in order and bounded; once the connection is back
 * and the other nodes have subscribed again (or `resumeWaitMs` passed) they are published. A
 * frame may then reach Redis twice; receivers drop what they have seen by its sequence number.
 */
export class RedisBroadcastRelay implements BroadcastRelay {
  private readonly held: Held[] = [];
  private heldBytes = 0;
  private sequence = 0;
  private open = true;
  private generation = 0;
  private subscribers = 1;
  private readonly seen = new SequenceFilter();
  private inbound: Promise<void> = Promise.resolve();
  private deliver: (frame: string) => Promise<unknown> = async () => {};
  private readonly maxHeldFrames: number;
  private readonly maxHeldBytes: number;

  constructor(private readonly options: RedisBroadcastRelayOptions) {
    this.maxHeldFrames = options.maxHeldFrames ?? 1000;
    this.maxHeldBytes = options.maxHeldBytes ?? 16 * 1024 * 1024;
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

  async relay(frame: string): Promise<void> {
    const bytes = Buffer.byteLength(frame);
    if (this.held.length >= this.maxHeldFrames || this.heldBytes + bytes > this.maxHeldBytes) {
      throw new PeersUnreachableError(`${this.held.length} frames (${this.heldBytes} bytes) already waiting`);
    }
    const entry: Held = { payload: `${this.options.nodeId}\n${++this.sequence}\n${frame}`, bytes, sent: false };
    this.held.push(entry);
    this.heldBytes += bytes;
    if (this.open) this.send(entry);
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
    return this.held.length;
  }

  /** Stops receiving; waits up to `timeoutMs` for held frames to go out; resolves with those that did not. */
  async stop(timeoutMs = 1000): Promise<number> {
    await this.options.subscriber.unsubscribe(this.options.keys.broadcastChannel).catch(() => {});
    const deadline = Date.now() + timeoutMs;
    while (this.held.length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.inbound;
    return this.held.length;
  }

  private send(entry: Held): void {
    entry.sent = true;
    this.options.redis.publish(this.options.keys.broadcastChannel, entry.payload).then(
      (receivers) => {
        this.subscribers = Math.max(this.subscribers, receivers);
        this.forget(entry);
      },
      (error: unknown) => {
        if (error instanceof ReplyError) {
          // Redis itself refused the command: retrying cannot help.
          this.forget(entry);
          this.options.onWarning?.('broadcast.publish_refused', { error: String(error) });
          return;
        }
        // The link is down (perhaps not noticed yet): hold the frame; it goes out on resume.
        entry.sent = false;
        this.closed();
      },
    );
  }

  private closed(): void {
    if (!this.open) return;
    this.open = false;
    // A link that failed without ever closing gets no ready event: look again shortly.
    setTimeout(() => {
      if (!this.open && this.options.redis.status === 'ready') void this.resume(++this.generation);
    }, 1000).unref();
  }

  private forget(entry: Held): void {
    const index = this.held.indexOf(entry);
    if (index === -1) return;
    this.held.splice(index, 1);
    this.heldBytes -= entry.bytes;
  }

  private async resume(generation: number): Promise<void> {
    const expected = this.subscribers;
    const deadline = Date.now() + (this.options.resumeWaitMs ?? 5000);
    try {
      while ((await this.countSubscribers()) < expected && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 50));
        if (generation !== this.generation) return;
      }
    } catch {
      return; // The link dropped again; the next ready event resumes.
    }
    if (generation !== this.generation || this.options.redis.status !== 'ready') return;
    const waiting = this.held.filter((entry) => !entry.sent);
    if (waiting.length > 0) this.options.onWarning?.('broadcast.resumed', { held: waiting.length });
    for (const entry of waiting) this.send(entry);
    this.open = true;
  }

  private async countSubscribers(): Promise<number> {
    const reply = (await this.options.redis.call('PUBSUB', 'NUMSUB', this.options.keys.broadcastChannel)) as unknown[];
    return Number(reply[1] ?? 0);
  }

  private receive(message: string): void {
    const first = message.indexOf('\n');
    const second = message.indexOf('\n', first + 1);
    if (first === -1 || second === -1) return;
    const origin = message.slice(0, first);
    if (origin === this.options.nodeId) return;
    const verdict = this.seen.accept(origin, Number(message.slice(first + 1, second)));
    if (verdict.duplicate) return;
    if (verdict.missing > 0) this.options.onWarning?.('broadcast.gap', { origin, missing: verdict.missing });
    const frame = message.slice(second + 1);
    this.inbound = this.inbound
      .then(() => this.deliver(frame))
      .then(
        () => undefined,
        (error: unknown) => this.options.onWarning?.('broadcast.delivery_failed', { error: String(error) }),
      );
  }
}

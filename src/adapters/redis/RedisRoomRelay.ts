import type { Publication, RoomName } from '../../domain/index.js';
import type { RedisSubscriber } from './RedisSubscriber.js';
import { RoomPublisher, type RoomPublisherOptions } from './RoomPublisher.js';
import { type RelayedEventHandler, RoomReceiver, roomKey, roomOf } from './RoomReceiver.js';
import { withTimeout } from './withTimeout.js';

export type { RelayedEventHandler } from './RoomReceiver.js';

/** What the relay's publisher takes, and the subscriber link it listens on. */
export interface RedisRoomRelayOptions extends Omit<RoomPublisherOptions, 'positions' | 'onResumed'> {
  readonly subscriber: RedisSubscriber;
}

/**
 * Carries each room's publications between the nodes of the cluster. A message costs one Redis
 * command whatever its audience: the append script numbers it, stores it in the room's history
 * and publishes it on the room's channel. Every node, the sender's included, listens to the
 * channels of the rooms it has members in (and to the global one), from the first local member
 * to the last. Sending, holding and sending again is the `RoomPublisher`'s part; delivering
 * each room's messages once and in order, gaps filled from the history, the `RoomReceiver`'s.
 */
export class RedisRoomRelay {
  private readonly publisher: RoomPublisher;
  private readonly receiver: RoomReceiver;
  /** Local members per room listened to ('' for the global audience). */
  private readonly listeners = new Map<string, number>();

  constructor(private readonly options: RedisRoomRelayOptions) {
    this.receiver = new RoomReceiver(options);
    this.publisher = new RoomPublisher({
      ...options,
      positions: () => this.receiver.positions(),
      onResumed: () => this.receiver.retryCatchUp(),
    });
  }

  /** Listens to the global channel and follows the links' state; `handler` gets what arrives. */
  async start(handler: RelayedEventHandler): Promise<void> {
    this.receiver.deliverTo(handler);
    await this.retain(null);
    this.options.subscriber.onResubscribed(() => this.receiver.catchUp());
    await this.publisher.start();
  }

  /** This node has one more member of `room`: its channel is listened to from the first. */
  async retain(room: RoomName | null): Promise<void> {
    const key = roomKey(room);
    const count = (this.listeners.get(key) ?? 0) + 1;
    this.listeners.set(key, count);
    if (count > 1) return;
    const { subscriber, keys } = this.options;
    const subscribed = subscriber.subscribe(keys.roomChannel(room), (payload) => this.receiver.receive(payload));
    // Offline, ioredis sends the subscription once the link is back: a join need not wait for that.
    if (subscriber.ready) await withTimeout(subscribed, 2000).catch(() => {});
    await this.receiver.follow(room);
  }

  /** Publications held for the other nodes, not yet acknowledged by Redis. */
  get held(): number {
    return this.publisher.held;
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
    this.receiver.forget(room);
    this.publisher.forget(room);
    await this.options.subscriber.unsubscribe(this.options.keys.roomChannel(room)).catch(() => {});
  }

  /** Sends `publication` now, or holds it; throws `PeersUnreachableError` when the hold is full. */
  async publish(publication: Publication): Promise<void> {
    this.publisher.publish(publication);
  }

  /**
   * How many nodes (this one included) are known to listen, as the heartbeat last counted them.
   * After a reconnect, held publications wait until that many have subscribed again.
   */
  expectNodes(count: number): void {
    this.publisher.expectNodes(count);
  }

  /** Stops receiving; waits up to `timeoutMs` for held publications to go out; resolves with those that did not. */
  async stop(timeoutMs = 1000): Promise<number> {
    for (const key of [...this.listeners.keys()]) {
      this.listeners.delete(key);
      this.receiver.forget(roomOf(key));
      await this.options.subscriber.unsubscribe(this.options.keys.roomChannel(roomOf(key))).catch(() => {});
    }
    const deadline = Date.now() + timeoutMs;
    while (this.publisher.held > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    await this.receiver.drained();
    return this.publisher.held;
  }
}

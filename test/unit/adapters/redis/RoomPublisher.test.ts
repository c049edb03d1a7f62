import { ReplyError } from 'ioredis';
import { describe, expect, it } from 'vitest';
import {
  OriginGapError,
  type Publishing,
  type RedisClient,
  RedisKeys,
  type RedisMessageHistory,
} from '../../../../src/adapters/redis/index.js';
import { RoomPublisher } from '../../../../src/adapters/redis/RoomPublisher.js';
import type { MessageDraft } from '../../../../src/domain/index.js';
import { eventually } from '../../../support/ChatClient.js';

const draft = (data: string): MessageDraft => ({ room: null, from: { name: 'n' }, ts: 1, data });

/** What the append script would do, one answer per call, scripted by the test. */
class FakeHistory {
  readonly calls: Array<{ data: string } & Publishing> = [];
  readonly stored: string[] = [];
  recorded = 0;
  constructor(private readonly answer: (data: string, publishing: Publishing, call: number) => Promise<unknown>) {}

  store(message: MessageDraft, publishing: Publishing): Promise<unknown> {
    this.calls.push({ data: message.data, ...publishing });
    return this.answer(message.data, publishing, this.calls.length);
  }

  /** The script's rule: stored once, in the origin's order. */
  keep(data: string, { originSequence, after = originSequence - 1 }: Publishing): Promise<unknown> {
    if (originSequence <= this.recorded) return Promise.resolve(undefined);
    if (this.recorded < after) return Promise.reject(new OriginGapError(this.recorded));
    this.recorded = originSequence;
    this.stored.push(data);
    return Promise.resolve({ epoch: '0', latest: this.stored.length });
  }

  async load(): Promise<void> {}
  async raise(): Promise<boolean> {
    return false;
  }
}

/** A commands link that stays up, with one node listening and nothing recorded by hand. */
const link = (history: FakeHistory) =>
  ({
    status: 'ready',
    on: () => {},
    call: async () => ['channel', 1],
    hget: async () => String(history.recorded),
  }) as unknown as RedisClient;

function publisher(history: FakeHistory, warnings: string[] = []) {
  return new RoomPublisher({
    redis: link(history),
    keys: new RedisKeys('p'),
    nodeId: 'node',
    history: history as unknown as RedisMessageHistory,
    resumeWaitMs: 0,
    positions: () => [],
    onWarning: (event) => void warnings.push(event),
  });
}

describe('RoomPublisher', () => {
  describe('publish', () => {
    it("sends a message that overtook its predecessor again after it, in the sender's order", async () => {
      let releaseFirst: () => void = () => {};
      const history: FakeHistory = new FakeHistory((data, publishing, call) => {
        // The first attempt at 'one' is answered late (a script cache miss), after 'two' was refused.
        if (call === 1) return new Promise((resolve) => (releaseFirst = () => resolve(history.keep(data, publishing))));
        return history.keep(data, publishing);
      });
      const sender = publisher(history);
      await sender.start();
      sender.publish({ kind: 'message', draft: draft('one') });
      sender.publish({ kind: 'message', draft: draft('two') });
      await eventually(() => history.calls.length === 2);
      releaseFirst();
      await eventually(() => sender.held === 0, 5000);
      expect(history.stored).toEqual(['one', 'two']);
      expect(history.calls.map(({ data, originSequence }) => [data, originSequence])).toEqual([
        ['one', 1],
        ['two', 2],
        ['one', 1],
        ['two', 2],
      ]);
    });

    it('skips, and says so, a predecessor that Redis refused for good', async () => {
      const warnings: string[] = [];
      const history: FakeHistory = new FakeHistory((data, publishing) =>
        data === 'refused' ? Promise.reject(new ReplyError('ERR refused')) : history.keep(data, publishing),
      );
      const sender = publisher(history, warnings);
      await sender.start();
      sender.publish({ kind: 'message', draft: draft('refused') });
      await eventually(() => sender.held === 0);
      sender.publish({ kind: 'message', draft: draft('next') });
      await eventually(() => history.stored.length === 1);
      expect(history.stored).toEqual(['next']);
      expect(history.calls.at(-1)).toMatchObject({ data: 'next', originSequence: 2, after: 0 });
      expect(warnings).toEqual(['broadcast.publish_refused', 'broadcast.origin_gap']);
    });

    it('numbers each room on its own, a room new to the node above every number given', async () => {
      const history: FakeHistory = new FakeHistory(() => Promise.resolve({ epoch: '0', latest: 1 }));
      const sender = publisher(history);
      await sender.start();
      for (const room of ['a', 'b', 'a', null, 'b'] as const) {
        sender.publish({ kind: 'message', draft: { ...draft(room ?? '*'), room: room as MessageDraft['room'] } });
      }
      await eventually(() => history.calls.length === 5);
      expect(history.calls.map(({ data, originSequence, after }) => `${data}${originSequence}/${after}`)).toEqual([
        'a1/0',
        'b2/0',
        'a2/1',
        '*3/0',
        'b3/2',
      ]);
    });

    it('forgets a room left, and starts it again above what Redis records for it', async () => {
      const history: FakeHistory = new FakeHistory(() => Promise.resolve({ epoch: '0', latest: 1 }));
      const sender = publisher(history);
      await sender.start();
      const inRoom = (room: string, data: string) =>
        sender.publish({ kind: 'message', draft: { ...draft(data), room: room as MessageDraft['room'] } });
      inRoom('a', 'a1');
      inRoom('a', 'a2');
      inRoom('b', 'b1');
      await eventually(() => sender.held === 0);
      sender.forget('a' as MessageDraft['room']);
      // Acknowledged lately, so kept: a failover could still need it resent in order.
      inRoom('a', 'a3');
      await eventually(() => history.calls.length === 4);
      expect(history.calls.at(-1)).toMatchObject({ data: 'a3', originSequence: 3, after: 2 });
      const numbers = (sender as unknown as { roomSequences: Map<string, number> }).roomSequences;
      (sender as unknown as { acknowledged: unknown[] }).acknowledged.length = 0;
      sender.forget('a' as MessageDraft['room']);
      expect(numbers.has('a')).toBe(false);
      inRoom('a', 'a4');
      await eventually(() => history.calls.length === 5);
      expect(history.calls.at(-1)).toMatchObject({ data: 'a4', originSequence: 4, after: 0 });
    });
  });
});

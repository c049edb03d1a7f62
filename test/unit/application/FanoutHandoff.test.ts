import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../../src/adapters/memory/index.js';
import { Fanout, type FanoutHandoff } from '../../../src/application/index.js';
import type {
  AudiencePart,
  AudienceParts,
  DeliveryHandoff,
  HandedDelivery,
  Member,
  MessageDraft,
  RoomName,
} from '../../../src/domain/index.js';
import { collect, newId, RecordingGateway } from '../../support/fakes.js';

/** Parts over the repository's listing: runs of `partSize` members, read `pageSize` at a time. */
class ListedParts implements AudienceParts {
  reads = 0;

  constructor(
    private readonly connections: InMemoryConnectionRepository,
    private readonly partSize: number,
    private readonly pageSize: number,
  ) {}

  async split(room: RoomName | null): Promise<AudiencePart[]> {
    const members = (await collect(this.connections.list(room))).flat();
    const parts: AudiencePart[] = [];
    for (let i = 0; i < members.length; i += this.partSize) {
      parts.push({ room, cursor: { members: members.slice(i, i + this.partSize) } });
    }
    return parts;
  }

  async read(part: AudiencePart) {
    this.reads++;
    const { members } = part.cursor as { members: Member[] };
    const rest = members.slice(this.pageSize);
    // Through JSON, as a part crosses to another invocation.
    const next: AudiencePart | undefined =
      rest.length === 0 ? undefined : JSON.parse(JSON.stringify({ room: part.room, cursor: { members: rest } }));
    return { members: members.slice(0, this.pageSize), rest: next };
  }
}

/** Workers that queue what they are handed; `drain` runs everything, continuations included. */
class QueuedWorkers implements DeliveryHandoff {
  readonly handed: HandedDelivery[] = [];
  readonly queue: HandedDelivery[] = [];

  async hand(deliveries: readonly HandedDelivery[]): Promise<void> {
    for (const delivery of deliveries) {
      const crossed = JSON.parse(JSON.stringify(delivery)) as HandedDelivery;
      this.handed.push(crossed);
      this.queue.push(crossed);
    }
  }
}

const draft = (data: string): MessageDraft => ({ room: null, from: { name: 'alice' }, ts: 1, data });

async function arrange(count: number, { threshold = 10, partSize = 7, pageSize = 3, marginMs = 100 } = {}) {
  const connections = new InMemoryConnectionRepository({ pageSize: 4 });
  const gateway = new RecordingGateway();
  const ids = Array.from({ length: count }, () => newId());
  for (const id of ids) await connections.add({ id, format: 'text', name: id, nameLocked: false });
  const parts = new ListedParts(connections, partSize, pageSize);
  const workers = new QueuedWorkers();
  const handoff: FanoutHandoff = { threshold, parts, workers, marginMs };
  const fanout = new Fanout(connections, gateway, new InMemoryMessageHistory(), {
    maxConcurrentDeliveries: 4,
    handoff,
  });
  /** Runs queued parts until none is left, each with the time `timeLeft` gives it. */
  const drain = async (timeLeft: (invocation: number) => () => number = () => () => 60_000) => {
    const outcomes = [];
    for (let invocation = 0; workers.queue.length > 0; invocation++) {
      outcomes.push(await fanout.deliverPart(workers.queue.shift() as HandedDelivery, timeLeft(invocation)));
    }
    return outcomes;
  };
  return { connections, gateway, ids, parts, workers, fanout, drain };
}

const postsPerRecipient = (gateway: RecordingGateway) => {
  const counts = new Map<string, number>();
  for (const { to } of gateway.posts) counts.set(to, (counts.get(to) ?? 0) + 1);
  return counts;
};

describe('Fanout with a handoff', () => {
  describe('message', () => {
    it('delivers an audience at the threshold itself, handing nothing off', async () => {
      const { gateway, workers, fanout } = await arrange(10);
      await fanout.message(draft('small'));
      expect(gateway.posts).toHaveLength(10);
      expect(workers.handed).toEqual([]);
    });

    it('hands an audience over the threshold to workers, one delivery per part, posting nothing itself', async () => {
      const { gateway, workers, fanout, ids } = await arrange(23);
      const sender = { id: ids[0]!, format: 'json' as const };
      await fanout.message(draft('large'), sender);
      expect(gateway.posts).toEqual([]);
      expect(workers.handed).toHaveLength(Math.ceil(23 / 7));
      for (const delivery of workers.handed) {
        expect(delivery.event).toMatchObject({ kind: 'message', own: false, message: { data: 'large', room: null } });
        expect(delivery.replyTo).toEqual(sender);
      }
    });
  });

  describe('deliverPart', () => {
    it('the parts together reach every member exactly once', async () => {
      const { gateway, ids, fanout, drain } = await arrange(23);
      await fanout.message(draft('x'));
      const outcomes = await drain();
      expect(outcomes.every((outcome) => !outcome.handedOn)).toBe(true);
      const counts = postsPerRecipient(gateway);
      expect([...counts.keys()].sort()).toEqual([...ids].sort());
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
    });

    it('hands the rest of its part on when too little time is left, and the continuation finishes it', async () => {
      const { gateway, ids, workers, fanout, drain } = await arrange(23, { partSize: 23, pageSize: 3, marginMs: 100 });
      await fanout.message(draft('x'));
      expect(workers.handed).toHaveLength(1);
      // Each invocation has time for two pages: a first page always, then 150 ms left, then under the margin.
      const outcomes = await drain(() => {
        let calls = 0;
        return () => [150, 50][Math.min(calls++, 1)] as number;
      });
      expect(outcomes.filter((outcome) => outcome.handedOn)).toHaveLength(Math.ceil(23 / 6) - 1);
      expect(outcomes.map((outcome) => outcome.delivered)).toEqual([6, 6, 6, 5]);
      expect(workers.handed).toHaveLength(1 + Math.ceil(23 / 6) - 1);
      const counts = postsPerRecipient(gateway);
      expect(counts.size).toBe(ids.length);
      expect([...counts.values()].every((count) => count === 1)).toBe(true);
    });

    it('counts the recipients it could not reach, and goes on past them', async () => {
      const { gateway, ids, fanout, drain } = await arrange(12, { partSize: 12 });
      for (const id of ids.slice(0, 2)) gateway.failing.add(id);
      await fanout.message(draft('x'));
      const [outcome] = await drain();
      expect(outcome).toEqual({ delivered: 10, gone: 0, unreached: 2, handedOn: false });
    });

    it('removes members found gone, as an inline broadcast does', async () => {
      const { connections, gateway, ids, fanout, drain } = await arrange(12);
      gateway.gone.add(ids[5]!);
      await fanout.message(draft('x'));
      await drain();
      expect(await connections.get(ids[5]!)).toBeUndefined();
      expect(await connections.get(ids[6]!)).toBeDefined();
    });

    it('refuses to run without a handoff to read parts with', async () => {
      const fanout = new Fanout(
        new InMemoryConnectionRepository(),
        new RecordingGateway(),
        new InMemoryMessageHistory(),
      );
      const part = { room: null, cursor: {} };
      const event = { kind: 'lost' as const, room: null, count: 1 };
      await expect(fanout.deliverPart({ event, part }, () => 1000)).rejects.toThrow(RangeError);
    });
  });
});

import { afterEach, describe, expect, it } from 'vitest';
import type {
  ChatMessage,
  HistoryPage,
  HistoryRetention,
  MessageDraft,
  MessageHistory,
  RoomName,
} from '../../src/domain/index.js';
import { newRoom } from './connectionRepositoryContract.js';

export interface HistoryHarness {
  readonly history: MessageHistory;
  /**
   * A history on the same clock and retention with no record of anything `history` stored: what
   * a restart does to a history in memory, and expiry to a room's keys or items in a store.
   */
  forget(): Promise<MessageHistory>;
  close(): Promise<void>;
}

export interface HistoryFactoryOptions {
  readonly retention: HistoryRetention;
  /** The clock the adapter must read (epoch ms), so that age is tested without sleeping. */
  readonly now: () => number;
}

const HOUR = 60 * 60 * 1000;

/**
 * What every MessageHistory promises. Call once per adapter; each test gets fresh rooms.
 */
export function messageHistoryContract(
  name: string,
  factory: (options: HistoryFactoryOptions) => Promise<HistoryHarness>,
): void {
  describe(`MessageHistory contract: ${name}`, () => {
    let harness: HistoryHarness | undefined;
    let clock = Date.now();
    const start = async (retention: Partial<HistoryRetention> = {}) => {
      clock = Date.now();
      harness = await factory({
        retention: { maxMessages: 1000, maxAgeMs: 24 * HOUR, ...retention },
        now: () => clock,
      });
      return harness.history;
    };
    afterEach(async () => {
      await harness?.close();
      harness = undefined;
    });

    const draft = (room: RoomName | null, data: string): MessageDraft => ({
      room,
      from: { name: 'alice', user: 'u-1' },
      ts: clock,
      data,
    });
    const appendAll = async (history: MessageHistory, room: RoomName | null, data: string[]) => {
      const stored: ChatMessage[] = [];
      for (const text of data) stored.push(await history.append(draft(room, text)));
      return stored;
    };
    const texts = (messages: readonly ChatMessage[]) => messages.map((message) => message.data);

    it('stamps each message with an id that sorts, as a string, in append order', async () => {
      const history = await start();
      const room = newRoom();
      const stored = await appendAll(history, room, ['a', 'b', 'c', 'd']);
      expect(stored.map((message) => message.data)).toEqual(['a', 'b', 'c', 'd']);
      expect(stored[0]).toMatchObject({ room, from: { name: 'alice', user: 'u-1' }, ts: clock, data: 'a' });
      const ids = stored.map((message) => message.id);
      expect(new Set(ids).size).toBe(4);
      expect([...ids].sort()).toEqual(ids);
    });

    it('reads the latest messages oldest first, and those after an id, within the limit', async () => {
      const history = await start();
      const room = newRoom();
      const stored = await appendAll(history, room, ['1', '2', '3', '4', '5']);
      expect(await history.read(room, { limit: 2 })).toEqual({ messages: stored.slice(3), complete: true });
      const after = await history.read(room, { after: stored[1]?.id as string, limit: 2 });
      expect(after).toEqual({ messages: stored.slice(2, 4), complete: true });
      expect(texts((await history.read(room, { after: stored[3]?.id as string, limit: 10 })).messages)).toEqual(['5']);
    });

    it('keeps rooms and the global audience apart', async () => {
      const history = await start();
      const [red, blue] = [newRoom(), newRoom()];
      await appendAll(history, red, ['r1', 'r2']);
      await appendAll(history, blue, ['b1']);
      await appendAll(history, null, ['g1']);
      expect(texts((await history.read(red, { limit: 10 })).messages)).toEqual(['r1', 'r2']);
      expect(texts((await history.read(blue, { limit: 10 })).messages)).toEqual(['b1']);
      expect(texts((await history.read(newRoom(), { limit: 10 })).messages)).toEqual([]);
      expect(texts((await history.read(null, { limit: 10 })).messages)).toContain('g1');
    });

    it('keeps the last messages by count, and says when what followed an id is gone', async () => {
      const history = await start({ maxMessages: 3 });
      const room = newRoom();
      const stored = await appendAll(history, room, ['1', '2', '3', '4', '5', '6']);
      expect(texts((await history.read(room, { limit: 10 })).messages)).toEqual(['4', '5', '6']);
      const gap = await history.read(room, { after: stored[0]?.id as string, limit: 10 });
      expect(gap).toEqual({ messages: stored.slice(3), complete: false });
      const whole = await history.read(room, { after: stored[2]?.id as string, limit: 10 });
      expect(whole).toEqual({ messages: stored.slice(3), complete: true });
    });

    it('lets messages past the maximum age go', async () => {
      const history = await start({ maxAgeMs: HOUR });
      const room = newRoom();
      const [old] = await appendAll(history, room, ['old']);
      clock += 30 * 60 * 1000;
      await appendAll(history, room, ['newer']);
      clock += 45 * 60 * 1000;
      const page = await history.read(room, { after: old?.id as string, limit: 10 });
      expect(texts(page.messages)).toEqual(['newer']);
      expect(texts((await history.read(room, { limit: 10 })).messages)).toEqual(['newer']);
      clock += 20 * 60 * 1000;
      expect((await history.read(room, { limit: 10 })).messages).toEqual([]);
    });

    it('answers an id past the newest with nothing, complete', async () => {
      const history = await start();
      const room = newRoom();
      await appendAll(history, room, ['only']);
      expect(await history.read(room, { after: '9000000000000000', limit: 10 })).toEqual({
        messages: [],
        complete: true,
      });
    });

    it('returns a consistent prefix when read while appends are under way', async () => {
      const history = await start();
      const room = newRoom();
      const data = Array.from({ length: 40 }, (_, i) => `m${String(i).padStart(2, '0')}`);
      const appending = (async () => {
        for (const text of data) await history.append(draft(room, text));
      })();
      const reads: string[][] = [];
      for (let i = 0; i < 5; i++) reads.push(texts((await history.read(room, { limit: 100 })).messages));
      await appending;
      for (const read of reads) expect(read).toEqual(data.slice(0, read.length));
      expect(texts((await history.read(room, { limit: 100 })).messages)).toEqual(data);
    });

    it('returns a consistent prefix while several appends run at once', async () => {
      const history = await start();
      const room = newRoom();
      const [first] = await appendAll(history, room, ['first']);
      const after = first?.id as string;
      const appends: Promise<ChatMessage>[] = [];
      const latestReads: Promise<HistoryPage>[] = [];
      const afterReads: Promise<HistoryPage>[] = [];
      for (let wave = 0; wave < 5; wave++) {
        for (let i = 0; i < 8; i++) appends.push(history.append(draft(room, `w${wave}.${i}`)));
        latestReads.push(history.read(room, { limit: 100 }));
        afterReads.push(history.read(room, { after, limit: 100 }));
        await new Promise((resolve) => setImmediate(resolve));
      }
      const stored = await Promise.all(appends);
      const [latest, following] = [await Promise.all(latestReads), await Promise.all(afterReads)];
      const final = (await history.read(room, { limit: 100 })).messages;
      // The room's order is the id order, and each message is stored under the id it was given.
      const ids = final.map((message) => message.id);
      expect([...ids].sort()).toEqual(ids);
      expect([...stored].sort((a, b) => (a.id < b.id ? -1 : 1))).toEqual(final.slice(1));
      for (const page of latest) {
        expect(page.complete).toBe(true);
        expect(page.messages).toEqual(final.slice(0, page.messages.length));
      }
      for (const page of following) {
        expect(page).toEqual({ messages: final.slice(1, 1 + page.messages.length), complete: true });
      }
    });

    it('reads an id of another room as a place in this room’s numbering', async () => {
      const history = await start();
      const [older, room, newer] = [newRoom(), newRoom(), newRoom()];
      const [before] = await appendAll(history, older, ['o1']);
      clock += 1000;
      const stored = await appendAll(history, room, ['r1', 'r2']);
      clock += 1000;
      const [after] = await appendAll(history, newer, ['n1']);
      // From before this room's record begins: what is kept, and perhaps not all that followed.
      expect(await history.read(room, { after: before?.id as string, limit: 10 })).toEqual({
        messages: stored,
        complete: false,
      });
      // Past this room's newest: nothing follows it here.
      expect(await history.read(room, { after: after?.id as string, limit: 10 })).toEqual({
        messages: [],
        complete: true,
      });
      expect(await history.read(newRoom(), { after: before?.id as string, limit: 10 })).toEqual({
        messages: [],
        complete: false,
      });
    });

    it('says what followed an id is gone once the room’s whole history is, unless the id is in the future', async () => {
      const history = await start({ maxAgeMs: HOUR });
      const room = newRoom();
      const [seen] = await appendAll(history, room, ['seen', 'missed']);
      const after = seen?.id as string;
      clock += 2 * HOUR;
      expect(await history.read(room, { after, limit: 10 })).toEqual({ messages: [], complete: false });
      const forgotten = await (harness as HistoryHarness).forget();
      expect(await forgotten.read(room, { after, limit: 10 })).toEqual({ messages: [], complete: false });
      expect(await forgotten.read(room, { after: '9000000000000000', limit: 10 })).toEqual({
        messages: [],
        complete: true,
      });
      expect(await forgotten.read(room, { limit: 10 })).toEqual({ messages: [], complete: true });
      const [next] = await appendAll(forgotten, room, ['next']);
      expect((next?.id as string) > after).toBe(true);
      expect(await forgotten.read(room, { after, limit: 10 })).toEqual({ messages: [next], complete: false });
      expect(await forgotten.read(room, { after: next?.id as string, limit: 10 })).toEqual({
        messages: [],
        complete: true,
      });
    });

    it('still numbers messages when it keeps none, and says what followed is gone', async () => {
      const history = await start({ maxMessages: 0 });
      const room = newRoom();
      const [first, second] = await appendAll(history, room, ['x', 'y']);
      expect((second?.id as string) > (first?.id as string)).toBe(true);
      expect(await history.read(room, { after: first?.id as string, limit: 10 })).toEqual({
        messages: [],
        complete: false,
      });
    });
  });
}

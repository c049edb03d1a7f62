import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbMessageHistory } from '../../src/adapters/dynamodb/index.js';
import type { ChatMessage, HistoryPage, MessageDraft, RoomName } from '../../src/domain/index.js';
import { newRoom } from '../contract/connectionRepositoryContract.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';

const WRITE_TIMEOUT_MS = 65_000;

/**
 * DynamoDB numbers a message (UpdateItem) before it stores it (PutItem): a reader can find a
 * later message stored while an earlier one is still being written. Here the PutItem of chosen
 * messages is held (or fails) for as long as a test says, which the contract's concurrent
 * appenders cannot force on a local server.
 */
describe('DynamoDbMessageHistory while a message is being written', () => {
  let dynamo: CountingDynalite;
  let client: DynamoDBDocumentClient | undefined;
  let clock = Date.now();
  /** PutItems held by message text: each waits for its release. */
  const held = new Map<string, { release: () => void; fail: () => void }>();

  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });
  afterEach(() => {
    for (const { release } of held.values()) release();
    held.clear();
    client?.destroy();
  });

  async function arrange(holding: string[]) {
    clock = Date.now();
    const tables = await freshTable(dynamo.endpoint);
    client = tables.client;
    const send = client.send.bind(client) as (command: unknown) => Promise<unknown>;
    (client as unknown as { send: (command: unknown) => Promise<unknown> }).send = async (command) => {
      const input = (command as { input?: { Item?: { data?: string } } }).input;
      const data = input?.Item?.data;
      if (command?.constructor.name === 'PutCommand' && data !== undefined && holding.includes(data)) {
        await new Promise<void>((resolve, reject) => {
          held.set(data, { release: resolve, fail: () => reject(new Error(`PutItem of ${data} failed`)) });
        });
      }
      return send(command);
    };
    const history = new DynamoDbMessageHistory(client, {
      tableName: tables.roomsTableName,
      writeTimeoutMs: WRITE_TIMEOUT_MS,
      now: () => clock,
    });
    const room = newRoom();
    const draft = (data: string): MessageDraft => ({ room, from: { name: 'alice' }, ts: clock, data });
    const append = (data: string) => history.append(draft(data));
    const read = (query: { after?: string; limit?: number } = {}) =>
      history.read(room as RoomName, { limit: 10, ...query });
    return { history, append, read };
  }

  const texts = (page: HistoryPage) => ({
    data: page.messages.map((message) => message.data),
    complete: page.complete,
  });

  /** Resolves once the PutItem of `data` is being held. */
  async function heldPut(data: string): Promise<{ release: () => void; fail: () => void }> {
    while (!held.has(data)) await new Promise((resolve) => setTimeout(resolve, 5));
    return held.get(data) as { release: () => void; fail: () => void };
  }

  it('never serves a message while an earlier one is still being stored, nor calls that a gap', async () => {
    const { append, read } = await arrange(['slow']);
    const first = await append('first');
    const slow = append('slow');
    const put = await heldPut('slow');
    const fast = await append('fast');
    expect(fast.id > first.id).toBe(true);
    expect(texts(await read())).toEqual({ data: ['first'], complete: true });
    expect(texts(await read({ after: first.id }))).toEqual({ data: [], complete: true });
    put.release();
    await slow;
    expect(texts(await read())).toEqual({ data: ['first', 'slow', 'fast'], complete: true });
    expect(texts(await read({ after: first.id }))).toEqual({ data: ['slow', 'fast'], complete: true });
  });

  it('reads the latest page below a message still on its way, however far below the newest it is', async () => {
    const { append, read } = await arrange(['slow']);
    await append('first');
    const slow = append('slow');
    const put = await heldPut('slow');
    for (const data of ['a', 'b', 'c', 'd']) await append(data);
    expect(texts(await read({ limit: 2 }))).toEqual({ data: ['first'], complete: true });
    put.release();
    await slow;
    expect(texts(await read({ limit: 2 }))).toEqual({ data: ['c', 'd'], complete: true });
  });

  it('goes past a message whose writer failed once it can no longer come, and says it is missing', async () => {
    const { append, read } = await arrange(['lost']);
    const first = await append('first');
    const lost = append('lost');
    (await heldPut('lost')).fail();
    await expect(lost).rejects.toThrow(/lost/);
    const next: ChatMessage = await append('next');
    expect(texts(await read({ after: first.id }))).toEqual({ data: [], complete: true });
    clock += WRITE_TIMEOUT_MS + 1000;
    expect(texts(await read({ after: first.id }))).toEqual({ data: ['next'], complete: false });
    expect(texts(await read())).toEqual({ data: ['first', 'next'], complete: true });
    expect(texts(await read({ after: next.id }))).toEqual({ data: [], complete: true });
  });

  it('says the newest number is missing once its writer can no longer store it', async () => {
    const { append, read } = await arrange(['lost']);
    const first = await append('first');
    const lost = append('lost');
    (await heldPut('lost')).fail();
    await expect(lost).rejects.toThrow(/lost/);
    expect(texts(await read({ after: first.id }))).toEqual({ data: [], complete: true });
    clock += WRITE_TIMEOUT_MS + 1000;
    expect(texts(await read({ after: first.id }))).toEqual({ data: [], complete: false });
    expect(texts(await read())).toEqual({ data: ['first'], complete: true });
  });
});

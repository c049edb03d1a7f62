import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConnectionId, MessageGateway } from '../../src/domain/index.js';
import { type ChatClient, delay, eventually } from '../support/ChatClient.js';
import { newId } from '../support/fakes.js';

export interface ConnectedClient {
  readonly id: ConnectionId;
  readonly client: ChatClient;
}

export interface GatewayHarness {
  readonly gateway: MessageGateway;
  /** Opens a real client connection and names it as the gateway knows it. */
  connect(): Promise<ConnectedClient>;
  /**
   * Gateways that can `publish` only: opens a client on another process of the chat, which
   * delivers what is published to its own connections (the text of a message).
   */
  connectElsewhere?(): Promise<ConnectedClient>;
  /** Releases servers and clients the factory started. */
  close(): Promise<void>;
}

/**
 * What every MessageGateway promises, checked with real clients on the other end. Call once
 * per adapter.
 */
export function messageGatewayContract(name: string, factory: () => Promise<GatewayHarness>): void {
  describe(`MessageGateway contract: ${name}`, () => {
    let harness: GatewayHarness;
    let gateway: MessageGateway;

    beforeEach(async () => {
      harness = await factory();
      gateway = harness.gateway;
    });
    afterEach(async () => {
      await harness.close();
    });

    it('delivers a frame verbatim, as one text frame, and reports it delivered', async () => {
      const { id, client } = await harness.connect();
      const frame = 'hello world ✓ {"action":"sendMessage"} \u0000 end';
      expect(await gateway.post(id, frame)).toBe('delivered');
      expect(await client.next()).toBe(frame);
    });

    it('delivers a frame of 100 KiB intact', async () => {
      const { id, client } = await harness.connect();
      const frame = 'x'.repeat(100 * 1024);
      expect(await gateway.post(id, frame)).toBe('delivered');
      expect(await client.next()).toBe(frame);
    });

    it('delivers to the addressed connection only', async () => {
      const a = await harness.connect();
      const b = await harness.connect();
      await gateway.post(a.id, 'for a');
      await gateway.post(b.id, 'for b');
      expect(await a.client.next()).toBe('for a');
      expect(await b.client.next()).toBe('for b');
      expect(a.client.frames).toEqual(['for a']);
    });

    it('keeps the order of posts to one connection', async () => {
      const { id, client } = await harness.connect();
      const frames = Array.from({ length: 50 }, (_, i) => `m${i}`);
      for (const frame of frames) await gateway.post(id, frame);
      expect(await client.waitForFrames(frames.length)).toEqual(frames);
    });

    it('gives each connection its own frame when posts of different frames interleave', async () => {
      const clients = await Promise.all(Array.from({ length: 6 }, () => harness.connect()));
      await Promise.all(clients.map(({ id }, i) => gateway.post(id, `frame ${i}`)));
      await Promise.all(clients.map(({ id }, i) => gateway.post(id, `again ${i}`)));
      for (const [i, { client }] of clients.entries()) {
        expect(await client.waitForFrames(2)).toEqual([`frame ${i}`, `again ${i}`]);
      }
    });

    it('reports an id that was never connected as gone rather than throwing', async () => {
      expect(await gateway.post(newId('never'), 'anyone?')).toBe('gone');
    });

    it('publishes once to every process, this one included, in call order, or cannot publish at all', async () => {
      if (harness.connectElsewhere === undefined) {
        expect(gateway.publish).toBeUndefined();
        return;
      }
      expect(gateway.publish).toBeTypeOf('function');
      const { client: elsewhere } = await harness.connectElsewhere();
      const { client: here } = await harness.connect();
      const texts = ['first', 'second ✓', 'third'];
      for (const data of texts) {
        const draft = { room: null, from: { name: 'contract' }, ts: Date.now(), data };
        await gateway.publish?.({ kind: 'message', draft });
      }
      expect(await elsewhere.waitForFrames(texts.length)).toEqual(texts);
      expect(await here.waitForFrames(texts.length)).toEqual(texts);
      await delay(100);
      expect(elsewhere.frames).toEqual(texts);
      expect(here.frames).toEqual(texts);
    });

    it('reports a connection whose client has closed as gone rather than throwing', async () => {
      const { id, client } = await harness.connect();
      await client.close();
      await eventually(async () => (await gateway.post(id, 'still there?')) === 'gone');
    });
  });
}

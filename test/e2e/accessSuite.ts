import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, delay, eventually } from '../support/ChatClient.js';
import { signHs256, TEST_SECRET } from '../support/jwt.js';
import type { RunningChat, RuntimeShape } from './RuntimeShape.js';

export interface AccessSuiteOptions {
  /** The shape caps connections per address (the server does; API Gateway does not). */
  readonly capsPerAddress: boolean;
}

const REQUIRED = { AUTH_MODE: 'required', AUTH_JWT_SECRET: TEST_SECRET };

/**
 * Who may connect and how much they may send, as clients see it, on every runtime shape:
 * refusals happen before the WebSocket exists, with the status API Gateway gives.
 */
export function accessSuite(shape: RuntimeShape, { capsPerAddress }: AccessSuiteOptions): void {
  describe(`access end to end: ${shape.name}`, () => {
    let chat: RunningChat | undefined;
    const opened: ChatClient[] = [];
    const url = (search = '') => `${chat?.urls[0]}${search}`;
    const connect = async (search = '', headers: Record<string, string> = {}) => {
      const client = await ChatClient.connect(url(search), 10_000, headers);
      opened.push(client);
      return client;
    };

    afterEach(async () => {
      for (const client of opened.splice(0)) client.vanish();
      await chat?.stop('SIGKILL');
      chat = undefined;
    });

    it('refuses a connection without a token when one is required (401), and with a bad one', async () => {
      chat = await shape.start(REQUIRED);
      await expect(ChatClient.connect(url())).rejects.toThrow(/401/);
      await expect(ChatClient.connect(url('?token=forged.token.value'))).rejects.toThrow(/401/);
      const expired = await signHs256({ sub: 'late', exp: Math.floor(Date.now() / 1000) - 3600 });
      await expect(ChatClient.connect(url(`?token=${expired}`))).rejects.toThrow(/401/);
    });

    it('lets a valid token in, and shows the others who it is', async () => {
      chat = await shape.start(REQUIRED);
      const alice = await connect(`?format=json&token=${await signHs256({ sub: 'user-alice', name: 'Alice' })}`);
      const bob = await connect(`?format=json&token=${await signHs256({ sub: 'user-bob', name: 'Bob' })}`);
      alice.send(JSON.stringify({ action: 'setName', name: 'Mallory' }));
      alice.send(JSON.stringify({ action: 'sendMessage', data: 'hi, it is me' }));
      await eventually(() => bob.frames.some((frame) => frame.includes('hi, it is me')));
      const message = JSON.parse(bob.frames.find((frame) => frame.includes('hi, it is me')) as string);
      expect(message.from).toEqual({ name: 'Alice', user: 'user-alice' });
      // Where a connection's messages are handled concurrently (API Gateway), the refusal of the
      // rename may reach Alice after her message reached Bob.
      await eventually(() => alice.frames.some((frame) => frame.includes('NAME_LOCKED')));
      expect(alice.frames.map((frame) => JSON.parse(frame))).toContainEqual(
        expect.objectContaining({ type: 'error', code: 'NAME_LOCKED' }),
      );
    });

    it('never writes a token to its logs, whether it lets it in or refuses it', async () => {
      chat = await shape.start({ ...REQUIRED, LOG_LEVEL: 'debug' });
      const good = await signHs256({ sub: 'user-carol', name: 'Carol' });
      const expired = await signHs256({ sub: 'user-dave', exp: Math.floor(Date.now() / 1000) - 3600 });
      const client = await connect(`?format=json&token=${good}`);
      await expect(ChatClient.connect(url(`?token=${expired}`))).rejects.toThrow(/401/);
      await expect(ChatClient.connect(url('?token=not.a.jwt'))).rejects.toThrow(/401/);
      await expect(ChatClient.connect(url(), 10_000, { Authorization: `Bearer ${expired}` })).rejects.toThrow(/401/);
      client.sendMessage('signed in');
      await eventually(() => client.frames.some((frame) => frame.includes('signed in')));
      await client.close();
      await delay(200);
      const output = chat.output();
      expect(output.length).toBeGreaterThan(0);
      for (const secret of [good, expired, 'not.a.jwt', TEST_SECRET]) expect(output).not.toContain(secret);
      // Nor any piece of one: the signature is the part that must never leak.
      for (const token of [good, expired]) expect(output).not.toContain(token.split('.')[2]);
    });

    it('lets anyone in, anonymous, with no auth configured, as the original chat', async () => {
      chat = await shape.start();
      const client = await connect();
      client.sendMessage('open to all');
      expect(await client.next()).toBe('open to all');
    });

    it('refuses a browser from an origin not allowed (403), and lets the allowed one in', async () => {
      chat = await shape.start({ ALLOWED_ORIGINS: 'https://chat.example' });
      await expect(ChatClient.connect(url(), 10_000, { Origin: 'https://evil.example' })).rejects.toThrow(/403/);
      const allowed = await connect('', { Origin: 'https://chat.example' });
      allowed.sendMessage('from the right page');
      expect(await allowed.next()).toBe('from the right page');
    });

    it('answers a flooder over its rate limit, and serves the client beside it as before', async () => {
      chat = await shape.start({ RATE_LIMIT_PER_S: '5', RATE_LIMIT_BURST: '5' });
      const [flooder, calm] = [await connect(), await connect()];
      const roundTrip = async () => {
        const marker = `calm ${Math.random()}`;
        const sent = Date.now();
        calm.sendMessage(marker);
        await eventually(() => calm.frames.includes(marker), 10_000, 2);
        return Date.now() - sent;
      };
      const quiet = await roundTrip();
      const floodStart = Date.now();
      for (let i = 0; i < 200; i++) flooder.sendMessage(`flood ${i}`);
      const during = await roundTrip();
      await eventually(
        () => flooder.frames.filter((frame) => frame === 'Error: Too many messages').length >= 150,
        20_000,
      );
      // Every flood frame is answered: either broadcast back to the flooder or refused.
      await eventually(
        () =>
          flooder.frames.filter((frame) => frame.startsWith('flood ') || frame === 'Error: Too many messages').length >=
          200,
        20_000,
      );
      const floodSeconds = (Date.now() - floodStart) / 1000;
      const delivered = calm.frames.filter((frame) => frame.startsWith('flood '));
      console.log(
        `${shape.name}: calm round trip ${quiet} ms quiet, ${during} ms during a 200-message flood; ` +
          `${delivered.length} flood messages passed in ${floodSeconds.toFixed(1)} s`,
      );
      // The limit lets through the burst plus the rate over however long the shape took to
      // refuse the rest: a slower shape admits a few more, never the flood.
      expect(delivered.length).toBeLessThanOrEqual(5 + Math.ceil(5 * floodSeconds));
      expect(delivered.length).toBeLessThan(50);
      expect(calm.frames.filter((frame) => frame.startsWith('Error'))).toEqual([]);
    });

    if (capsPerAddress) {
      it('refuses connections past the per-address cap (429), and takes them again once some leave', async () => {
        chat = await shape.start({ MAX_CONNECTIONS_PER_IP: '3' });
        const first = [await connect(), await connect(), await connect()];
        await expect(ChatClient.connect(url())).rejects.toThrow(/429/);
        await first[0]?.close();
        await delay(200);
        await expect(connect()).resolves.toBeInstanceOf(ChatClient);
      });

      it('refuses connections past the node’s cap (503)', async () => {
        chat = await shape.start({ MAX_CONNECTIONS: '2', MAX_CONNECTIONS_PER_IP: '0' });
        await connect();
        await connect();
        await expect(ChatClient.connect(url())).rejects.toThrow(/503/);
      });
    }
  });
}

import { describe, expect, it } from 'vitest';
import { INTERNAL_ERROR_REPLY, PEERS_UNREACHABLE_REPLY, unreachedReply } from '../../../src/application/index.js';
import { buildCore } from '../../support/core.js';
import { newId, PublishingGateway } from '../../support/fakes.js';

describe('ActionRouter', () => {
  describe('route', () => {
    it('broadcasts sendMessage data to everyone, verbatim, as the original chat does', async () => {
      const { gateway, connect, send } = buildCore();
      const [sender, other] = [await connect(), await connect()];
      await send(sender, '{"action":"sendMessage","data":"hello world"}');
      expect(gateway.framesTo(sender)).toEqual(['hello world']);
      expect(gateway.framesTo(other)).toEqual(['hello world']);
    });

    it.each([
      ['an unknown action', '{"action":"shout","data":"x"}'],
      ['a missing action', '{"data":"x"}'],
      ['a non-string action', '{"action":7}'],
      ['text that is not JSON', 'hello'],
      ['truncated JSON', '{"action":"sendMessage"'],
      ['a JSON string', '"sendMessage"'],
      ['a JSON array', '[{"action":"sendMessage","data":"x"}]'],
      ['JSON null', 'null'],
      ['a JSON number', '12'],
      ['an empty frame', ''],
      ['an action differing in case', '{"action":"SendMessage","data":"x"}'],
      ['an inherited property name as action', '{"action":"toString","data":"x"}'],
      ['a $-route as action', '{"action":"$connect"}'],
    ])('answers %s with the seed error to the sender alone', async (_label, text) => {
      const { gateway, connect, send } = buildCore();
      const [sender] = [await connect(), await connect()];
      await send(sender, text);
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('answers a json-format sender with an error event instead', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect('json');
      await send(sender, '{"action":"shout"}');
      expect(gateway.posts.map((post) => JSON.parse(post.frame))).toEqual([
        { type: 'error', code: 'INVALID_ACTION', message: 'Invalid action type' },
      ]);
    });

    it('ignores a __proto__ key rather than letting it select a route', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      await send(sender, '{"__proto__":{"action":"sendMessage"},"data":"x"}');
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('serves a sender the repository does not know with the defaults: text format, no room', async () => {
      const { gateway, connect, send } = buildCore();
      const [stranger, member] = [newId(), await connect()];
      await send(stranger, { action: 'sendMessage', data: 'from nowhere' });
      await send(stranger, { action: 'sendMessage', room: 'lobby', data: 'x' });
      expect(gateway.framesTo(member)).toEqual(['from nowhere']);
      expect(gateway.framesTo(stranger)).toEqual(['Error: You are not in room lobby']);
    });

    it('tells the sender how many recipients its message could not reach, then rethrows', async () => {
      const { gateway, connect, send } = buildCore();
      const [sender, broken, fine] = [await connect(), await connect(), await connect()];
      gateway.failing.add(broken);
      await expect(send(sender, { action: 'sendMessage', data: 'hi' })).rejects.toThrow(/did not reach 1 recipient/);
      expect(gateway.framesTo(fine)).toEqual(['hi']);
      expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: unreachedReply(1) });
      expect(unreachedReply(1)).toBe('Error: Your message could not be delivered to 1 recipient');
    });

    it('tells a json sender with an error event', async () => {
      const { gateway, connect, send } = buildCore();
      const [sender, broken] = [await connect('json'), await connect()];
      gateway.failing.add(broken);
      await expect(send(sender, { action: 'sendMessage', data: 'hi' })).rejects.toThrow(/did not reach/);
      expect(JSON.parse(gateway.posts.at(-1)?.frame as string)).toEqual({
        type: 'error',
        code: 'NOT_DELIVERED',
        message: 'Your message could not be delivered to 1 recipient',
      });
    });

    it('tells the sender nothing more when every recipient was reached', async () => {
      const { gateway, connect, send } = buildCore();
      const [sender, other] = [await connect(), await connect()];
      await send(sender, { action: 'sendMessage', data: 'hi' });
      expect(gateway.framesTo(sender)).toEqual(['hi']);
      expect(gateway.framesTo(other)).toEqual(['hi']);
    });

    it('answers a failure of its own (not a delivery) with the internal error', async () => {
      const { gateway, connect, send, connections } = buildCore();
      const sender = await connect();
      connections.list = () => {
        throw new Error('table unavailable');
      };
      await expect(send(sender, { action: 'sendMessage', data: 'hi' })).rejects.toThrow(/table unavailable/);
      expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: INTERNAL_ERROR_REPLY });
    });

    it('tells the sender its message reached only this node when the other nodes are unreachable', async () => {
      const gateway = new PublishingGateway();
      const { connect, send } = buildCore({ gateway });
      const [sender, other] = [await connect(), await connect()];
      gateway.unreachable = true;
      await expect(send(sender, { action: 'sendMessage', data: 'local' })).rejects.toThrow(/unreachable/);
      expect(gateway.framesTo(other)).toEqual(['local']);
      expect(gateway.framesTo(sender)).toEqual(['local', PEERS_UNREACHABLE_REPLY]);
    });

    it('rethrows the original failure when telling the sender fails too', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      gateway.failing.add(sender);
      await expect(send(sender, '{"action":"dance"}')).rejects.toThrow(`delivery to ${sender} failed`);
    });
  });
});

describe('ActionRouter rate limit', () => {
  const limit = { perSecond: 2, burst: 3, cutAfterMs: 10_000 };

  it('allows a burst, drops what goes over it with an error to the sender alone, and refills with time', async () => {
    let now = 1_000_000;
    const { gateway, connect, send } = buildCore({ rateLimit: limit, now: () => now });
    const [flooder, other] = [await connect(), await connect()];
    for (let i = 0; i < 5; i++) await send(flooder, { action: 'sendMessage', data: `m${i}` });
    expect(gateway.framesTo(other)).toEqual(['m0', 'm1', 'm2']);
    expect(gateway.framesTo(flooder)).toEqual([
      'm0',
      'm1',
      'm2',
      'Error: Too many messages',
      'Error: Too many messages',
    ]);
    now += 500;
    await send(flooder, { action: 'sendMessage', data: 'after a pause' });
    expect(gateway.framesTo(other).at(-1)).toBe('after a pause');
  });

  it('answers a json sender with a RATE_LIMITED error event', async () => {
    const { gateway, connect, send } = buildCore({ rateLimit: { ...limit, burst: 1 }, now: () => 5 });
    const sender = await connect('json');
    await send(sender, { action: 'joinRoom', room: 'r' });
    await send(sender, { action: 'joinRoom', room: 's' });
    expect(gateway.framesTo(sender).map((frame) => JSON.parse(frame))).toEqual([
      { type: 'joined', room: 'r' },
      { type: 'error', code: 'RATE_LIMITED', message: 'Too many messages' },
    ]);
  });

  it('disconnects a sender that keeps flooding past the cut-off, and nobody else', async () => {
    let now = 0;
    const { gateway, connect, send } = buildCore({ rateLimit: limit, now: () => now });
    const [flooder, calm] = [await connect(), await connect()];
    for (; now <= 12_000; now += 100) await send(flooder, { action: 'sendMessage', data: 'x' });
    await send(calm, { action: 'sendMessage', data: 'fine' });
    expect(gateway.disconnected).toContain(flooder);
    expect(gateway.disconnected).not.toContain(calm);
    expect(gateway.framesTo(calm).at(-1)).toBe('fine');
  });

  it('lets a sender that slows down to the rate go on forever', async () => {
    let now = 0;
    const { gateway, connect, send } = buildCore({ rateLimit: limit, now: () => now });
    const sender = await connect();
    for (; now <= 30_000; now += 500) await send(sender, { action: 'sendMessage', data: 'steady' });
    expect(gateway.framesTo(sender).filter((frame) => frame.startsWith('Error'))).toEqual([]);
    expect(gateway.disconnected).toEqual([]);
  });
});

import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import { ActionRouter, BroadcastMessage, RejectUnknownAction } from '../../../src/application/index.js';
import { binaryFrame, textFrame } from '../../../src/domain/index.js';
import { newId, RecordingGateway } from '../../support/fakes.js';

async function arrange() {
  const connections = new InMemoryConnectionRepository();
  const gateway = new RecordingGateway();
  const [sender, other] = [newId(), newId()];
  await connections.add(sender);
  await connections.add(other);
  const router = new ActionRouter(new BroadcastMessage(connections, gateway), new RejectUnknownAction(gateway));
  return { gateway, sender, other, router };
}

describe('ActionRouter', () => {
  describe('route', () => {
    it('broadcasts sendMessage data to everyone', async () => {
      const { gateway, sender, other, router } = await arrange();
      const result = await router.route(sender, textFrame('{"action":"sendMessage","data":"hello world"}'));
      expect(result).toEqual({ kind: 'broadcast', delivered: 2, gone: 0 });
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
    ])('answers %s with the seed error to the sender alone', async (_label, text) => {
      const { gateway, sender, router } = await arrange();
      const result = await router.route(sender, textFrame(text));
      expect(result.kind).toBe('rejected');
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('answers a binary frame with a clear error to the sender alone', async () => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, binaryFrame(3));
      expect(gateway.posts).toHaveLength(1);
      expect(gateway.posts[0]).toMatchObject({ to: sender });
      expect(gateway.posts[0]?.frame).toMatch(/^Error: Binary frames are not supported/);
    });

    it('answers sendMessage without string data with a clear error to the sender alone', async () => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, textFrame('{"action":"sendMessage","data":{"nested":true}}'));
      expect(gateway.posts).toEqual([
        { to: sender, frame: 'Error: sendMessage needs a "data" field holding a string' },
      ]);
    });

    it('ignores a __proto__ key rather than letting it select a route', async () => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, textFrame('{"__proto__":{"action":"sendMessage"},"data":"x"}'));
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });
  });
});

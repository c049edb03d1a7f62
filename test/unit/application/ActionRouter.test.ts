import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import {
  ActionRouter,
  BroadcastMessage,
  INTERNAL_ERROR_REPLY,
  PEERS_UNREACHABLE_REPLY,
  RejectUnknownAction,
} from '../../../src/application/index.js';
import { newId, RecordingGateway, RelayingGateway } from '../../support/fakes.js';

async function arrange(gateway = new RecordingGateway()) {
  const connections = new InMemoryConnectionRepository();
  const [sender, other] = [newId(), newId()];
  await connections.add(sender);
  await connections.add(other);
  const router = new ActionRouter(
    new BroadcastMessage(connections, gateway),
    new RejectUnknownAction(gateway),
    gateway,
  );
  return { gateway, sender, other, router };
}

describe('ActionRouter', () => {
  describe('route', () => {
    it('broadcasts sendMessage data to everyone', async () => {
      const { gateway, sender, other, router } = await arrange();
      await router.route(sender, '{"action":"sendMessage","data":"hello world"}');
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
    ])('answers %s with the seed error to the sender alone', async (_label, text) => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, text);
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('answers sendMessage without string data with a clear error to the sender alone', async () => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, '{"action":"sendMessage","data":{"nested":true}}');
      expect(gateway.posts).toEqual([
        { to: sender, frame: 'Error: sendMessage needs a "data" field holding a string' },
      ]);
    });

    it('ignores a __proto__ key rather than letting it select a route', async () => {
      const { gateway, sender, router } = await arrange();
      await router.route(sender, '{"__proto__":{"action":"sendMessage"},"data":"x"}');
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('tells the sender when delivery fails for a reason that is not its own, then rethrows', async () => {
      const { gateway, sender, other, router } = await arrange();
      gateway.failing.add(other);
      await expect(router.route(sender, '{"action":"sendMessage","data":"hi"}')).rejects.toThrow(/failed/);
      expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: INTERNAL_ERROR_REPLY });
    });

    it('tells the sender its message reached only this node when the other nodes are unreachable', async () => {
      const gateway = new RelayingGateway();
      gateway.unreachable = true;
      const { sender, other, router } = await arrange(gateway);
      await expect(router.route(sender, '{"action":"sendMessage","data":"local"}')).rejects.toThrow(/unreachable/);
      expect(gateway.framesTo(other)).toEqual(['local']);
      expect(gateway.framesTo(sender)).toEqual(['local', PEERS_UNREACHABLE_REPLY]);
    });

    it('rethrows the original failure when telling the sender fails too', async () => {
      const { gateway, sender, router } = await arrange();
      gateway.failing.add(sender);
      await expect(router.route(sender, '{"action":"dance"}')).rejects.toThrow(`delivery to ${sender} failed`);
    });
  });
});

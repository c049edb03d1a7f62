import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import {
  ActionRouter,
  BroadcastMessage,
  JoinChat,
  LeaveChat,
  RejectUnknownAction,
} from '../../../src/application/index.js';
import { INTERNAL_ERROR_REPLY, PEERS_UNREACHABLE_REPLY } from '../../../src/entrypoints/replies.js';
import { createConnectionHandler } from '../../../src/entrypoints/server/createConnectionHandler.js';
import { collect, newId, RecordingGateway, RelayingGateway } from '../../support/fakes.js';

function arrange() {
  const connections = new InMemoryConnectionRepository();
  const gateway = new RecordingGateway();
  const router = new ActionRouter(new BroadcastMessage(connections, gateway), new RejectUnknownAction(gateway));
  const handler = createConnectionHandler({
    join: new JoinChat(connections),
    leave: new LeaveChat(connections),
    router,
    gateway,
  });
  return { connections, gateway, handler };
}

describe('createConnectionHandler', () => {
  it('joins on open and leaves on close', async () => {
    const { connections, handler } = arrange();
    const id = newId();
    await handler.opened(id);
    expect((await collect(connections.list())).flat()).toEqual([id]);
    await handler.closed(id);
    expect((await collect(connections.list())).flat()).toEqual([]);
  });

  it('answers the sender when delivery fails for a reason that is not its own, and does not throw', async () => {
    const { gateway, handler } = arrange();
    const [sender, broken] = [newId(), newId()];
    await handler.opened(sender);
    await handler.opened(broken);
    gateway.failing.add(broken);
    await expect(handler.received(sender, '{"action":"sendMessage","data":"hi"}')).resolves.toBeUndefined();
    expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: INTERNAL_ERROR_REPLY });
  });

  it('tells the sender its message reached only this node when the other nodes are unreachable', async () => {
    const connections = new InMemoryConnectionRepository();
    const gateway = new RelayingGateway();
    gateway.unreachable = true;
    const broadcast = new BroadcastMessage(connections, gateway, { maxConcurrentDeliveries: 4 });
    const handler = createConnectionHandler({
      join: new JoinChat(connections),
      leave: new LeaveChat(connections),
      router: new ActionRouter(broadcast, new RejectUnknownAction(gateway)),
      gateway,
    });
    const [sender, other] = [newId(), newId()];
    await handler.opened(sender);
    await handler.opened(other);
    await handler.received(sender, '{"action":"sendMessage","data":"local"}');
    expect(gateway.framesTo(other)).toEqual(['local']);
    expect(gateway.framesTo(sender)).toEqual(['local', PEERS_UNREACHABLE_REPLY]);
  });
});

import { afterEach, describe, expect, it, vi } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import {
  ActionRouter,
  BroadcastMessage,
  INTERNAL_ERROR_REPLY,
  JoinChat,
  LeaveChat,
  RejectUnknownAction,
} from '../../../src/application/index.js';
import { createConnectionHandler } from '../../../src/entrypoints/server/createConnectionHandler.js';
import { collect, newId, RecordingGateway } from '../../support/fakes.js';

function arrange() {
  const connections = new InMemoryConnectionRepository();
  const gateway = new RecordingGateway();
  const router = new ActionRouter(
    new BroadcastMessage(connections, gateway),
    new RejectUnknownAction(gateway),
    gateway,
  );
  const handler = createConnectionHandler({
    join: new JoinChat(connections),
    leave: new LeaveChat(connections),
    router,
  });
  return { connections, gateway, handler };
}

describe('createConnectionHandler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('joins on open and leaves on close', async () => {
    const { connections, handler } = arrange();
    const id = newId();
    await handler.opened(id);
    expect((await collect(connections.list())).flat()).toEqual([id]);
    await handler.closed(id);
    expect((await collect(connections.list())).flat()).toEqual([]);
  });

  it('logs a failure with its cause and never the body, and does not throw', async () => {
    const logged: string[] = [];
    vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
      logged.push(String(line));
      return true;
    });
    const { gateway, handler } = arrange();
    const [sender, broken] = [newId(), newId()];
    await handler.opened(sender);
    await handler.opened(broken);
    gateway.failing.add(broken);
    await expect(handler.received(sender, '{"action":"sendMessage","data":"secret"}')).resolves.toBeUndefined();
    expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: INTERNAL_ERROR_REPLY });
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({
      level: 'error',
      event: 'frame.failed',
      connectionId: sender,
    });
    expect(logged[0]).not.toContain('secret');
  });
});

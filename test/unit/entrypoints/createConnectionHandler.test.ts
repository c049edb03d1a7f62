import { afterEach, describe, expect, it, vi } from 'vitest';
import { INTERNAL_ERROR_REPLY } from '../../../src/application/index.js';
import { createConnectionHandler } from '../../../src/entrypoints/server/createConnectionHandler.js';
import { buildCore } from '../../support/core.js';
import { collect, newId } from '../../support/fakes.js';

function arrange() {
  const core = buildCore();
  const handler = createConnectionHandler({ join: core.join, leave: core.leave, router: core.router });
  return { ...core, handler };
}

describe('createConnectionHandler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('joins on open and leaves on close', async () => {
    const { connections, handler } = arrange();
    const id = newId();
    await handler.opened(id);
    expect((await collect(connections.list(null))).flat().map((member) => member.id)).toEqual([id]);
    await handler.closed(id);
    expect((await collect(connections.list(null))).flat()).toEqual([]);
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

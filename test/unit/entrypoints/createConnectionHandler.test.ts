import { afterEach, describe, expect, it, vi } from 'vitest';
import { AuthorizeConnection, unreachedReply } from '../../../src/application/index.js';
import { createConnectionHandler } from '../../../src/entrypoints/server/createConnectionHandler.js';
import { buildCore } from '../../support/core.js';
import { collect, newId } from '../../support/fakes.js';

function arrange() {
  const core = buildCore();
  const authorize = new AuthorizeConnection({ mode: 'none', allowedOrigins: ['https://chat.example'] }, undefined);
  const handler = createConnectionHandler({ authorize, join: core.join, leave: core.leave, router: core.router });
  return { ...core, handler };
}

/**
 * A handler whose broadcasts fail (one of the audience cannot be reached), with the lines it
 * writes to stderr captured.
 */
async function arrangeFailing() {
  const logged: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
    logged.push(String(line));
    return true;
  });
  const { gateway, handler } = arrange();
  const [sender, broken] = [newId(), newId()];
  await handler.opened(sender, session);
  await handler.opened(broken, session);
  gateway.failing.add(broken);
  return { logged, gateway, handler, sender };
}

const session = { options: { format: 'text' as const, name: undefined }, identity: undefined };
const request = (url: string, headers: Record<string, string> = {}) => ({ url, headers, address: '127.0.0.1' });

describe('createConnectionHandler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('joins on open and leaves on close', async () => {
    const { connections, handler } = arrange();
    const id = newId();
    await handler.opened(id, session);
    expect((await collect(connections.list(null))).flat().map((member) => member.id)).toEqual([id]);
    await handler.closed(id, 1000);
    expect((await collect(connections.list(null))).flat()).toEqual([]);
  });

  it('logs a failure with its cause and never the body, and does not throw', async () => {
    const { logged, gateway, handler, sender } = await arrangeFailing();
    await expect(handler.received(sender, '{"action":"sendMessage","data":"secret"}')).resolves.toBeUndefined();
    // The rest of the audience is served; the sender alone hears of the one it did not reach.
    expect(gateway.posts.at(-1)).toEqual({ to: sender, frame: unreachedReply(1) });
    expect(logged).toHaveLength(1);
    expect(JSON.parse(logged[0] as string)).toMatchObject({
      level: 'error',
      event: 'frame.failed',
      connectionId: sender,
    });
    expect(logged[0]).not.toContain('secret');
  });

  it('bounds its failure lines: the first ten of a window, then one that counts the rest', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
    try {
      const { logged, handler, sender } = await arrangeFailing();
      for (let i = 0; i < 250; i++) await handler.received(sender, '{"action":"sendMessage","data":"hi"}');
      expect(logged).toHaveLength(10);
      vi.advanceTimersByTime(10_000);
      expect(logged).toHaveLength(11);
      const lines = logged.map((line) => JSON.parse(line) as Record<string, unknown>);
      expect(lines.slice(0, 10).every((line) => line.event === 'frame.failed' && line.connectionId === sender)).toBe(
        true,
      );
      expect(lines[10]).toMatchObject({
        level: 'error',
        event: 'frame.failed',
        code: 'REPORTS_SUPPRESSED',
        suppressed: 240,
      });
      expect(lines[10]).not.toHaveProperty('connectionId');
    } finally {
      vi.useRealTimers();
    }
  });

  describe('admit', () => {
    it('lets a client in with the format and name its query string asks for', async () => {
      const { handler } = arrange();
      expect(await handler.admit(request('/?format=json&name=zoe'))).toEqual({
        admitted: true,
        session: { options: { format: 'json', name: 'zoe' }, identity: undefined },
      });
    });

    it('refuses, before the upgrade, a format or name it cannot give (400) and an origin not allowed (403)', async () => {
      const { handler } = arrange();
      expect(await handler.admit(request('/?format=xml'))).toMatchObject({ admitted: false, status: 400 });
      expect(await handler.admit(request('/?name=%E2%80%AEevil'))).toMatchObject({ admitted: false, status: 400 });
      expect(await handler.admit(request('/', { origin: 'https://evil.example' }))).toEqual({
        admitted: false,
        status: 403,
        reason: 'Origin not allowed',
      });
    });
  });
});

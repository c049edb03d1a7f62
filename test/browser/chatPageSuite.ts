import { mkdir } from 'node:fs/promises';
import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { RunningChat, RuntimeShape } from '../e2e/RuntimeShape.js';
import { ChatClient, eventually } from '../support/ChatClient.js';
import { ChatPage, type InPage } from './support/ChatPage.js';
import { launchChromium } from './support/chromium.js';
import { TcpRelay } from './support/TcpRelay.js';

/** Where the tests leave what a person would look at (gitignored). */
const ARTIFACTS = new URL('../../test-artifacts/', import.meta.url);

const PHONE = { width: 390, height: 844 };

/** The page's address on a running chat: plain HTTP on the WebSocket's port. */
const pageUrl = (chat: RunningChat) => `http://${new URL(chat.urls[0] as string).host}/`;

/**
 * The chat page in a real browser, written once and run against every shape that serves it:
 * people chatting, hostile text, a phone's screen, and a connection that comes back.
 */
export function chatPageSuite(shape: RuntimeShape): void {
  describe(`chat page in Chromium: ${shape.name}`, () => {
    let browser: Browser;
    let chat: RunningChat | undefined;
    const pages: ChatPage[] = [];
    const cleanups: Array<() => Promise<unknown>> = [];

    const open = async (url: string, viewport?: { width: number; height: number }) => {
      const page = await ChatPage.open(browser, url, viewport);
      pages.push(page);
      return page;
    };

    /** Two people with names, in one room. */
    const twoInARoom = async (room: string, env?: Record<string, string>) => {
      chat = await shape.start(env);
      const alice = await open(pageUrl(chat));
      const bob = await open(pageUrl(chat));
      await alice.setName('alice');
      await bob.setName('bob');
      await alice.join(room);
      await bob.join(room);
      return { alice, bob };
    };

    beforeAll(async () => {
      browser = await launchChromium();
    });

    afterEach(async () => {
      for (const page of pages.splice(0)) await page.close();
      for (const cleanup of cleanups.splice(0)) await cleanup();
      await chat?.stop();
      chat = undefined;
    });

    afterAll(async () => {
      await browser?.close();
    });

    it('lets two people chat in a room, each message shown with its sender and time', async () => {
      const { alice, bob } = await twoInARoom('lobby');
      await bob.page.locator('#members li', { hasText: 'alice' }).waitFor();
      expect((await bob.members()).sort()).toEqual(['alice', 'bob']);

      await alice.send('hello bob');
      await bob.waitForMessage('hello bob');
      await bob.send('hi alice, how are you?');
      await alice.waitForMessage('how are you');
      await alice.send('très bien, merci !');
      await bob.waitForMessage('très bien');

      const shown = await bob.messages();
      expect(shown.map(({ from, text }) => ({ from, text }))).toEqual([
        { from: 'alice', text: 'hello bob' },
        { from: 'bob', text: 'hi alice, how are you?' },
        { from: 'alice', text: 'très bien, merci !' },
      ]);
      for (const message of shown) {
        expect(message.time).not.toBe('');
        expect(Math.abs(Date.parse(message.datetime ?? '') - Date.now())).toBeLessThan(60_000);
      }
      expect(await alice.page.locator('#room-title').textContent()).toBe('#lobby');

      await mkdir(ARTIFACTS, { recursive: true });
      await alice.page.screenshot({ path: new URL(`chat-page-${shape.name}.png`, ARTIFACTS).pathname });
      expect([...alice.problems, ...bob.problems]).toEqual([]);
    });

    it('shows hostile text as text: no element is created and no script runs', async () => {
      const { alice, bob } = await twoInARoom('hostile');
      const hostile = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>';
      await bob.setName('<b>mallory</b>');
      await bob.send(hostile);
      await alice.waitForMessage('<img src=x');

      const [message] = await alice.messages();
      expect(message).toMatchObject({ from: '<b>mallory</b>', text: hostile });
      expect(await alice.page.locator('#messages img, #messages script, #messages b').count()).toBe(0);
      expect(await alice.page.evaluate(() => (globalThis as unknown as InPage).pwned)).toBeUndefined();
    });

    it('fits a phone-sized screen: no horizontal scroll, and the message box in view', async () => {
      chat = await shape.start();
      const phone = await open(pageUrl(chat), PHONE);
      await phone.setName('pat');
      await phone.join('phones');
      await phone.send(`a-long-unbroken-word-${'x'.repeat(300)}`);
      await phone.send('a short one');
      await phone.waitForMessage('a short one');

      const width = await phone.page.evaluate(() => {
        const { documentElement } = (globalThis as unknown as InPage).document;
        return { scroll: documentElement.scrollWidth, client: documentElement.clientWidth };
      });
      expect(width.scroll).toBeLessThanOrEqual(width.client);
      const box = await phone.page.locator('#send-form').boundingBox();
      expect(box).not.toBeNull();
      expect((box?.y ?? 0) + (box?.height ?? 0)).toBeLessThanOrEqual(PHONE.height);
      expect((box?.x ?? 0) + (box?.width ?? 0)).toBeLessThanOrEqual(PHONE.width);
      await mkdir(ARTIFACTS, { recursive: true });
      await phone.page.screenshot({ path: new URL(`chat-page-phone-${shape.name}.png`, ARTIFACTS).pathname });
    });

    it('shows the connection lost, and after a dropped connection catches up on what it missed', async () => {
      // More is missed than one history page holds, sent faster than a person may.
      const { alice, bob } = await twoInARoom('resume', { RATE_LIMIT_PER_S: '0' });
      await bob.send('before the drop');
      await alice.waitForMessage('before the drop');
      await alice.close();
      pages.splice(pages.indexOf(alice), 1);

      // Alice again (same storage: her name and rooms), now through a link the test can cut.
      const socket = new URL(chat?.urls[0] as string);
      const relay = await TcpRelay.start(Number(socket.port));
      cleanups.push(() => relay.close());
      const relayed = `ws://127.0.0.1:${relay.port}${socket.pathname}`;
      const away = await open(`${pageUrl(chat as RunningChat)}?url=${encodeURIComponent(relayed)}`);
      await away.setName('alice');
      await away.join('resume');
      await away.waitForMessage('before the drop');

      relay.disconnect();
      await away.waitForState('closed');
      expect(await away.status.textContent()).toMatch(/disconnected, retrying in \d+ s/);
      await bob.send('said while alice was away');
      const script = await ChatClient.connect(`${chat?.urls[0]}?format=json&name=script`);
      cleanups.push(async () => script.socket.close());
      script.send(JSON.stringify({ action: 'joinRoom', room: 'resume' }));
      await eventually(() => script.frames.some((frame) => frame.includes('"joined"')));
      const burst = Array.from({ length: 120 }, (_, i) => `burst ${i + 1}`);
      for (const data of burst) script.send(JSON.stringify({ action: 'sendMessage', room: 'resume', data }));
      await bob.waitForMessage('burst 120');
      await bob.send('and once more');
      await bob.waitForMessage('and once more');

      relay.restore();
      await away.waitForState('open', 45_000);
      await away.waitForMessage('and once more');
      const shown = (await away.messages()).map((message) => message.text);
      // Each message once; what was said while away in the order it was sent where the shape keeps
      // a sender's order (API Gateway runs a connection's messages concurrently: any order there).
      const asSent = (list: string[]) => (shape.ordersPerSender ? list : [...list].sort());
      expect(shown[0]).toBe('before the drop');
      expect(asSent(shown.slice(1, -1))).toEqual(asSent(['said while alice was away', ...burst]));
      expect(shown.at(-1)).toBe('and once more');
    });

    it('comes back by itself after the server restarts, in the rooms it was in', async () => {
      const { alice, bob } = await twoInARoom('restart');
      await alice.join('side');
      await alice.page.click('#rooms button.room:text-is("#restart")');
      await alice.page.locator('#room-title', { hasText: '#restart' }).waitFor();
      await bob.send('before the restart');
      await alice.waitForMessage('before the restart');
      const port = new URL(chat?.urls[0] as string).port;

      await chat?.stop();
      await alice.waitForState('closed');
      await bob.waitForState('closed');
      chat = await shape.start({ PORT: port });

      await alice.waitForState('open', 45_000);
      await bob.waitForState('open', 45_000);
      await alice.page.locator('#members li', { hasText: 'bob' }).waitFor({ timeout: 20_000 });
      await bob.send('after the restart');
      await alice.waitForMessage('after the restart');
      // Rejoining its rooms does not move the page off the room its user was reading.
      expect(await alice.page.locator('#room-title').textContent()).toBe('#restart');
      expect(await alice.page.locator('#rooms button.room').allTextContents()).toEqual([
        'Everyone',
        '#restart',
        '#side',
      ]);
      expect(alice.problems.filter((problem) => problem.startsWith('script error'))).toEqual([]);
      await mkdir(ARTIFACTS, { recursive: true });
      await alice.page.screenshot({ path: new URL(`chat-page-restarted-${shape.name}.png`, ARTIFACTS).pathname });
    });
  });
}

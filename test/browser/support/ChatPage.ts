import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';

/** What a page shows of one message. */
export interface ShownMessage {
  readonly from: string;
  readonly text: string;
  readonly time: string;
  readonly datetime: string | null;
}

/**
 * One person at the chat page, in a browser context of their own (their own storage), driven
 * the way a person would: typing into the forms and reading what the page shows.
 */
export class ChatPage {
  /** Errors the page's script threw and resources it failed to load: a working page has none. */
  readonly problems: string[] = [];

  private constructor(
    private readonly context: BrowserContext,
    readonly page: Page,
  ) {
    page.on('pageerror', (error) => this.problems.push(`script error: ${error.message}`));
    // The browser's own requests (the tab's icon) show up here only.
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console: ${message.text()} (${message.location().url})`);
    });
    page.on('response', (response) => {
      if (response.status() >= 400) this.problems.push(`${response.status()} for ${response.url()}`);
    });
  }

  /** Opens `url` (the page, optionally with `?url=` for the socket) at the given viewport. */
  static async open(browser: Browser, url: string, viewport = { width: 1000, height: 640 }): Promise<ChatPage> {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    page.setDefaultTimeout(15_000);
    const chat = new ChatPage(context, page);
    await page.goto(url);
    await chat.waitForState('open');
    return chat;
  }

  get status(): Locator {
    return this.page.locator('#status');
  }

  /** Waits until the connection state shown is `state` (`connecting`, `open`, `closed`). */
  async waitForState(state: string, timeout?: number): Promise<void> {
    await this.page.locator(`#status[data-state="${state}"]`).waitFor(timeout === undefined ? {} : { timeout });
  }

  async setName(name: string): Promise<void> {
    await this.page.fill('#name', name);
    await this.page.click('#name-form button');
    await this.page.waitForFunction(`localStorage.getItem('chat.name') === ${JSON.stringify(name)}`);
  }

  /** Joins `room` and waits until the page shows it as the current room. */
  async join(room: string): Promise<void> {
    await this.page.fill('#room', room);
    await this.page.click('#room-form button');
    await this.page.locator('#room-title', { hasText: `#${room}` }).waitFor();
  }

  async send(text: string): Promise<void> {
    await this.page.fill('#text', text);
    await this.page.click('#send-form button');
    // The page clears the box once the frame is on its way, and keeps it while it cannot send.
    await this.page.waitForFunction(`document.getElementById('text').value === ''`);
  }

  /** Waits until a message whose text contains `text` is shown. */
  async waitForMessage(text: string): Promise<void> {
    await this.page.locator('#messages li .text', { hasText: text }).first().waitFor();
  }

  /** The messages the current room shows, oldest first. */
  messages(): Promise<ShownMessage[]> {
    return this.page.locator('#messages li[data-id]').evaluateAll((items) =>
      items.map((item) => ({
        from: item.querySelector('.from')?.textContent ?? '',
        text: item.querySelector('.text')?.textContent ?? '',
        time: item.querySelector('time')?.textContent ?? '',
        datetime: item.querySelector('time')?.getAttribute('datetime') ?? null,
      })),
    );
  }

  /** The names the members list shows. */
  members(): Promise<string[]> {
    return this.page.locator('#members li').allTextContents();
  }

  close(): Promise<void> {
    return this.context.close();
  }
}

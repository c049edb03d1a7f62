import type { Identity, Message } from './protocol.js';

/** Looks an element up by id; the page's markup is fixed, so a missing one is a bug. */
export function byId<T extends HTMLElement>(id: string): T {
  const element = document.getElementById(id);
  if (element === null) throw new Error(`#${id} is missing from the page`);
  return element as T;
}

/** An element with text: always `textContent`, so what a client sent is shown, never run. */
export function element(tag: string, text?: string, className?: string): HTMLElement {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className !== undefined) node.className = className;
  return node;
}

/** One message as a list item: time, sender, text. */
export function messageItem(message: Message): HTMLElement {
  const item = element('li');
  item.dataset.id = message.id;
  const time = element('time', new Date(message.ts).toLocaleTimeString());
  time.setAttribute('datetime', new Date(message.ts).toISOString());
  const from = element('span', message.from.name, 'from');
  if (message.from.user !== undefined) from.title = `signed in as ${message.from.user}`;
  item.append(time, from, element('span', message.data, 'text'));
  return item;
}

/** A line of the conversation that is no one's message: joins, leaves, errors. */
export function noticeItem(text: string): HTMLElement {
  const item = element('li');
  item.append(element('span', text, 'notice'));
  return item;
}

/** Replaces a list's items with `names`, sorted. */
export function renderMembers(list: HTMLElement, members: readonly Identity[], truncated: boolean): void {
  const items = [...members].sort((a, b) => a.name.localeCompare(b.name)).map((member) => element('li', member.name));
  if (truncated) items.push(element('li', '…and more', 'notice'));
  list.replaceChildren(...items);
}

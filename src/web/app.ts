import { ChatSocket } from './ChatSocket.js';
import { type Identity, type Message, parseEvent, type ServerEvent } from './protocol.js';
import { byId, element, messageItem, noticeItem, renderMembers } from './view.js';

/** What the page keeps of one room (the key '' is everyone: the global audience). */
interface Room {
  readonly items: HTMLElement[];
  readonly seen: Set<string>;
  /** The newest id shown: after a reconnect the page asks for what came after it. */
  lastId: string | undefined;
  members: Identity[];
  truncated: boolean;
}

const EVERYONE = '';
const stored = { name: 'chat.name', rooms: 'chat.rooms' } as const;

const params = new URLSearchParams(location.search);
const rooms = new Map<string, Room>([[EVERYONE, newRoom()]]);
let current = EVERYONE;
/** The room the user last asked to join: the page opens it once joined (rejoins after a reconnect do not). */
let requested: string | undefined;
const ui = {
  status: byId('status'),
  name: byId<HTMLInputElement>('name'),
  room: byId<HTMLInputElement>('room'),
  rooms: byId('rooms'),
  members: byId('members'),
  title: byId('room-title'),
  messages: byId('messages'),
  text: byId<HTMLInputElement>('text'),
};

function newRoom(): Room {
  return { items: [], seen: new Set(), lastId: undefined, members: [], truncated: false };
}

/** Where to connect: `?url=wss://…` (a deployed stage), else this page's own server. */
function socketUrl(): string {
  const explicit = params.get('url');
  const path = document.querySelector<HTMLMetaElement>('meta[name="chat-socket"]')?.content ?? '/';
  const base = explicit ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${path}`;
  const url = new URL(base);
  url.searchParams.set('format', 'json');
  const name = localStorage.getItem(stored.name);
  if (name) url.searchParams.set('name', name);
  const token = params.get('token');
  if (token) url.searchParams.set('token', token);
  return url.toString();
}

const savedRooms = (): string[] => JSON.parse(localStorage.getItem(stored.rooms) ?? '[]') as string[];
const saveRooms = () => localStorage.setItem(stored.rooms, JSON.stringify([...rooms.keys()].filter(Boolean)));

function setStatus(state: 'connecting' | 'open' | 'closed', text: string): void {
  ui.status.dataset.state = state;
  ui.status.textContent = text;
}

function add(key: string, item: HTMLElement): void {
  const room = rooms.get(key);
  if (room === undefined) return;
  room.items.push(item);
  if (room.items.length > 500) room.items.shift()?.remove();
  if (key === current) {
    const atBottom = ui.messages.scrollHeight - ui.messages.scrollTop - ui.messages.clientHeight < 40;
    ui.messages.append(item);
    if (atBottom) item.scrollIntoView({ block: 'end' });
  }
}

function show(message: Message): void {
  const room = rooms.get(message.room ?? EVERYONE);
  if (room === undefined || room.seen.has(message.id)) return;
  room.seen.add(message.id);
  if (room.lastId === undefined || message.id > room.lastId) room.lastId = message.id;
  add(message.room ?? EVERYONE, messageItem(message));
}

function render(): void {
  const room = rooms.get(current) ?? newRoom();
  ui.title.textContent = current === EVERYONE ? 'Everyone' : `#${current}`;
  ui.messages.replaceChildren(...room.items);
  renderMembers(ui.members, room.members, room.truncated);
  const entries = [...rooms.keys()].map((key) => {
    const item = element('li');
    item.setAttribute('aria-current', String(key === current));
    const open = element('button', key === EVERYONE ? 'Everyone' : `#${key}`, 'room');
    open.addEventListener('click', () => {
      current = key;
      render();
    });
    item.append(open);
    if (key !== EVERYONE) {
      const leave = element('button', 'Leave');
      leave.setAttribute('aria-label', `Leave ${key}`);
      leave.addEventListener('click', () => socket.send({ action: 'leaveRoom', room: key }));
      item.append(leave);
    }
    return item;
  });
  ui.rooms.replaceChildren(...entries);
}

/** Catches up on a room: what came after the last id seen, or the latest messages. */
function catchUp(key: string): void {
  const room = rooms.get(key);
  const after = room?.lastId;
  socket.send({
    action: 'history',
    ...(key === EVERYONE ? {} : { room: key }),
    ...(after ? { after } : {}),
    limit: 100,
  });
}

function handle(event: ServerEvent): void {
  switch (event.type) {
    case 'message':
      show(event);
      return;
    case 'history':
      for (const message of event.messages) show(message);
      if (!event.complete) add(event.room ?? EVERYONE, noticeItem('Some earlier messages are no longer kept.'));
      return;
    case 'joined':
      if (!rooms.has(event.room)) rooms.set(event.room, newRoom());
      saveRooms();
      if (event.room === requested) {
        current = event.room;
        requested = undefined;
      }
      render();
      catchUp(event.room);
      socket.send({ action: 'listMembers', room: event.room });
      return;
    case 'left':
      rooms.delete(event.room);
      saveRooms();
      if (current === event.room) current = EVERYONE;
      render();
      return;
    case 'members': {
      const room = rooms.get(event.room);
      if (room === undefined) return;
      room.members = event.members;
      room.truncated = event.truncated;
      if (current === event.room) renderMembers(ui.members, room.members, room.truncated);
      return;
    }
    case 'presence':
      add(event.room, noticeItem(`${event.member.name} ${event.event === 'join' ? 'joined' : 'left'}`));
      socket.send({ action: 'listMembers', room: event.room });
      return;
    case 'named':
      localStorage.setItem(stored.name, event.name);
      ui.name.value = event.name;
      return;
    case 'error':
      add(current, noticeItem(event.message));
      return;
  }
}

const socket = new ChatSocket(socketUrl, {
  opened() {
    setStatus('open', 'connected');
    catchUp(EVERYONE);
    for (const room of savedRooms()) socket.send({ action: 'joinRoom', room });
  },
  received(text) {
    const event = parseEvent(text);
    if (event !== undefined) handle(event);
  },
  closed(retryInMs) {
    setStatus('closed', `disconnected, retrying in ${Math.ceil(retryInMs / 1000)} s`);
  },
});

function onSubmit(id: string, submit: () => void): void {
  byId<HTMLFormElement>(id).addEventListener('submit', (event) => {
    event.preventDefault();
    submit();
  });
}

onSubmit('name-form', () => socket.send({ action: 'setName', name: ui.name.value }));
onSubmit('room-form', () => {
  const room = ui.room.value.trim();
  if (socket.send({ action: 'joinRoom', room })) {
    requested = room;
    ui.room.value = '';
  }
});
onSubmit('send-form', () => {
  const data = ui.text.value;
  if (data === '') return;
  const room = current === EVERYONE ? {} : { room: current };
  if (socket.send({ action: 'sendMessage', ...room, data })) ui.text.value = '';
});

ui.name.value = localStorage.getItem(stored.name) ?? '';
render();
setStatus('connecting', 'connecting…');
socket.open();

import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { DeliveryTracker } from './DeliveryTracker.js';
import { decodePayload, encodePayload, sendMessageFrame } from './payload.js';
import {
  type ClientShape,
  type LoadGeneratorMessage,
  PLAIN_CLIENTS,
  type RoundResult,
  type RunnerMessage,
} from './protocol.js';

/**
 * The load generator: a process of its own, so that its CPU is not the server's. It holds the
 * client connections, sends from the first `senders` of them and checks every delivery on one
 * clock (send time travels in the payload).
 */
const CONNECT_CONCURRENCY = 200;
/** How long all the clients of one connect step may take to be in their rooms. */
const JOIN_TIMEOUT_MS = 60_000;

type Round = Extract<RunnerMessage, { type: 'round' }>;

interface ActiveRound {
  readonly spec: Round;
  readonly tracker: DeliveryTracker;
  readonly sent: Int32Array;
  readonly echoed: Int32Array;
  readonly startMicros: number;
  firstSendMicros: number;
  lastReceiveMicros: number;
  totalSent: number;
  closedClients: number;
  finish: (timedOut: boolean) => void;
}

const sockets: WebSocket[] = [];
let round: ActiveRound | undefined;
let shape: ClientShape = PLAIN_CLIENTS;
/** Rooms each client has been told it joined, while connecting. */
const joined: number[] = [];

/** The URL client `index` connects to: its format and name in the query string. */
function clientUrl(base: string, index: number): string {
  const json = shape.formats === 'json' || (shape.formats === 'mixed' && index % 2 === 1);
  const query = [...(json ? ['format=json'] : []), ...(shape.named ? [`name=c${index}`] : [])];
  return query.length === 0 ? base : `${base}${base.includes('?') ? '&' : '?'}${query.join('&')}`;
}

/** The rooms client `index` joins: its room, then the extra ones (spread over other groupings). */
function roomsOf(index: number): string[] {
  const rooms = shape.roomSize > 0 ? [`r${Math.floor(index / shape.roomSize)}`] : [];
  for (let extra = 0; extra < shape.extraRooms; extra++) rooms.push(`e${extra}-${index % (100 * (extra + 1))}`);
  return rooms;
}

/** The client that sends as sender `slot`: the first member of room `slot`, or client `slot`. */
const senderIndex = (slot: number, roomSize: number): number => (roomSize > 0 ? slot * roomSize : slot);
const JOINED = Buffer.from('"type":"joined"');

const nowMicros = (): number => Math.round(performance.now() * 1000);

function reply(message: LoadGeneratorMessage): void {
  process.send?.(message);
}

function connectOne(url: string, index: number, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, {
      perMessageDeflate: false,
      skipUTF8Validation: true,
      handshakeTimeout: timeoutMs,
    });
    socket.binaryType = 'nodebuffer';
    socket.once('open', () => {
      sockets[index] = socket;
      resolve();
    });
    socket.once('error', reject);
    socket.on('message', (data: Buffer) => {
      if (round === undefined && data.includes(JOINED)) joined[index] = (joined[index] ?? 0) + 1;
      else onFrame(index, data);
    });
    socket.once('close', () => {
      if (round !== undefined) round.closedClients++;
    });
  });
}

/**
 * Opens connections until `clients` are open (indices continue from those already open), then
 * puts the new ones in their rooms and waits until each has been told it joined.
 */
async function connectAll(urls: readonly string[], clients: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  const first = sockets.length;
  let next = first;
  const worker = async (): Promise<void> => {
    while (next < clients) {
      const index = next++;
      await connectOne(clientUrl(urls[index % urls.length] as string, index), index, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, clients - next) }, worker));
  for (let index = first; index < clients; index++) {
    for (const room of roomsOf(index)) {
      (sockets[index] as WebSocket).send(`{"action":"joinRoom","room":"${room}"}`);
    }
  }
  const deadline = performance.now() + JOIN_TIMEOUT_MS;
  for (let index = first; index < clients; index++) {
    while ((joined[index] ?? 0) < roomsOf(index).length) {
      if (performance.now() > deadline)
        throw new Error(`client ${index} not in its rooms within ${JOIN_TIMEOUT_MS} ms`);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
  }
  reply({ type: 'connected', connectMs: performance.now() - started });
}

function onFrame(receiver: number, data: Buffer): void {
  const active = round;
  if (active === undefined) return;
  const fields = decodePayload(data);
  const at = nowMicros();
  if (fields === undefined) {
    active.tracker.recordForeign();
    return;
  }
  if (active.tracker.record(receiver, fields.sender, fields.seq, at - fields.sentMicros)) {
    active.lastReceiveMicros = at;
  }
  if (senderIndex(fields.sender, active.spec.roomSize) === receiver) {
    active.echoed[fields.sender] = (active.echoed[fields.sender] as number) + 1;
    if (active.spec.rate === 0) pump(active, fields.sender, Number.POSITIVE_INFINITY);
  }
  if (active.tracker.complete) active.finish(false);
}

/** Sends from `sender` while its window and the rate budget allow; returns how many it sent. */
function pump(active: ActiveRound, sender: number, budget: number): number {
  const { spec } = active;
  const socket = sockets[senderIndex(sender, spec.roomSize)] as WebSocket;
  const room = spec.roomSize > 0 ? `r${sender}` : undefined;
  let count = 0;
  while (
    count < budget &&
    (active.sent[sender] as number) < spec.messages &&
    (active.sent[sender] as number) - (active.echoed[sender] as number) < spec.window
  ) {
    const seq = active.sent[sender] as number;
    const at = nowMicros();
    if (active.firstSendMicros === 0) active.firstSendMicros = at;
    socket.send(sendMessageFrame(encodePayload({ sender, seq, sentMicros: at }, spec.payloadBytes), room));
    active.sent[sender] = seq + 1;
    active.totalSent++;
    count++;
  }
  return count;
}

function runRound(spec: Round): Promise<RoundResult> {
  return new Promise((resolve) => {
    let ticker: NodeJS.Timeout | undefined;
    const timer = setTimeout(() => active.finish(true), spec.timeoutMs);
    const active: ActiveRound = {
      spec,
      tracker: new DeliveryTracker(sockets.length, spec.senders, spec.messages, spec.roomSize),
      sent: new Int32Array(spec.senders),
      echoed: new Int32Array(spec.senders),
      startMicros: nowMicros(),
      firstSendMicros: 0,
      lastReceiveMicros: 0,
      totalSent: 0,
      closedClients: 0,
      finish(timedOut) {
        if (round !== active) return;
        round = undefined;
        clearTimeout(timer);
        clearInterval(ticker);
        const durationMicros = Math.max(1, active.lastReceiveMicros - active.firstSendMicros);
        resolve({
          report: active.tracker.report(),
          sent: active.totalSent,
          durationMs: durationMicros / 1000,
          timedOut,
          closedClients: active.closedClients,
        });
      },
    };
    round = active;
    if (spec.rate === 0) {
      for (let sender = 0; sender < spec.senders; sender++) pump(active, sender, Number.POSITIVE_INFINITY);
      return;
    }
    // Paced: every tick, the senders take turns with what the rate allows so far.
    ticker = setInterval(() => {
      const allowed = Math.floor(((nowMicros() - active.startMicros) / 1e6) * spec.rate) + 1;
      let budget = allowed - active.totalSent;
      for (let progressed = true; budget > 0 && progressed; ) {
        progressed = false;
        for (let sender = 0; budget > 0 && sender < spec.senders; sender++) {
          const sentNow = pump(active, sender, 1);
          budget -= sentNow;
          progressed ||= sentNow > 0;
        }
      }
    }, 1);
  });
}

async function closeAll(): Promise<void> {
  for (const socket of sockets) socket?.terminate();
  process.disconnect?.();
}

process.on('message', (message: RunnerMessage) => {
  const handle = async (): Promise<void> => {
    if (message.type === 'connect') {
      shape = message.shape;
      await connectAll(message.urls, message.clients, message.timeoutMs);
    } else if (message.type === 'round') reply({ type: 'round', result: await runRound(message) });
    else await closeAll();
  };
  handle().catch((error: unknown) => {
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});

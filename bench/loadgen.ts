import { performance } from 'node:perf_hooks';
import { WebSocket } from 'ws';
import { DeliveryTracker } from './DeliveryTracker.js';
import { decodePayload, encodePayload, sendMessageFrame } from './payload.js';
import type { LoadGeneratorMessage, RoundResult, RunnerMessage } from './protocol.js';

/**
 * The load generator: a process of its own, so that its CPU is not the server's. It holds the
 * client connections, sends from the first `senders` of them and checks every delivery on one
 * clock (send time travels in the payload).
 */
const CONNECT_CONCURRENCY = 200;

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
    socket.on('message', (data: Buffer) => onFrame(index, data));
    socket.once('close', () => {
      if (round !== undefined) round.closedClients++;
    });
  });
}

/** Opens connections until `clients` are open (indices continue from those already open). */
async function connectAll(urls: readonly string[], clients: number, timeoutMs: number): Promise<void> {
  const started = performance.now();
  let next = sockets.length;
  const worker = async (): Promise<void> => {
    while (next < clients) {
      const index = next++;
      await connectOne(urls[index % urls.length] as string, index, timeoutMs);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_CONCURRENCY, clients - next) }, worker));
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
  if (fields.sender === receiver) {
    active.echoed[receiver] = (active.echoed[receiver] as number) + 1;
    if (active.spec.rate === 0) pump(active, receiver, Number.POSITIVE_INFINITY);
  }
  if (active.tracker.complete) active.finish(false);
}

/** Sends from `sender` while its window and the rate budget allow; returns how many it sent. */
function pump(active: ActiveRound, sender: number, budget: number): number {
  const { spec } = active;
  const socket = sockets[sender] as WebSocket;
  let count = 0;
  while (
    count < budget &&
    (active.sent[sender] as number) < spec.messages &&
    (active.sent[sender] as number) - (active.echoed[sender] as number) < spec.window
  ) {
    const seq = active.sent[sender] as number;
    const at = nowMicros();
    if (active.firstSendMicros === 0) active.firstSendMicros = at;
    socket.send(sendMessageFrame(encodePayload({ sender, seq, sentMicros: at }, spec.payloadBytes)));
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
      tracker: new DeliveryTracker(sockets.length, spec.senders, spec.messages),
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
    if (message.type === 'connect') await connectAll(message.urls, message.clients, message.timeoutMs);
    else if (message.type === 'round') reply({ type: 'round', result: await runRound(message) });
    else await closeAll();
  };
  handle().catch((error: unknown) => {
    reply({ type: 'failed', message: error instanceof Error ? error.message : String(error) });
  });
});

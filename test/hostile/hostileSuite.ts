import { afterEach, describe, expect, it } from 'vitest';
import { floodGapMs } from '../../src/domain/index.js';
import { ChatClient } from '../support/ChatClient.js';
import { clientFrame, Opcode, RawWebSocket, sendMessageFrame } from '../support/RawWebSocket.js';
import { type AttackReport, rawClients, record, sleep, underAttack, within } from './support/attack.js';
import { Crowd } from './support/Crowd.js';
import type { HostileShape, RunningTarget } from './support/targets.js';

/**
 * Bounds every scenario asserts. Generous enough for a shared, noisy 2-core machine running
 * other suites at the same time; the unfixed server missed each by an order of magnitude or
 * more (figures in the commit that added this suite).
 */
const BOUNDS = {
  /** Slowest answer to a plain HTTP request during an attack. */
  worstHttpMs: 1500,
  /** Slowest round trip of a probe client's own message during an attack. */
  worstRoundTripMs: 2000,
  /** Memory an attack may add to the server. */
  rssGrowthMiB: 96,
} as const;

const SHUTDOWN_GRACE_MS = 1000;
const INCOMPLETE_MESSAGE_TIMEOUT_MS = 1000;

/** What each finding of issue 10 did, as a scenario with the bounds it must now stay within. */
export function hostileSuite(shape: HostileShape): void {
  describe(`hostile clients: ${shape.name}`, () => {
    let target: RunningTarget | undefined;
    const raws: RawWebSocket[] = [];
    const start = async (env: Record<string, string> = {}) => {
      // What one connection can do to the transport, with the access limits (issue 11) out of the way.
      target = await shape.start({
        SHUTDOWN_GRACE_MS: String(SHUTDOWN_GRACE_MS),
        MAX_CONNECTIONS_PER_IP: '0',
        RATE_LIMIT_PER_S: '0',
        ...env,
      });
      return target;
    };
    const connectRaw = async (count: number) => {
      const made = await rawClients((target as RunningTarget).url, count);
      raws.push(...made);
      return made;
    };
    const expectWithinBounds = (report: AttackReport) => {
      expect(report.allArrived).toBe(true);
      expect(report.worstHttpMs).toBeLessThan(BOUNDS.worstHttpMs);
      expect(report.worstRoundTripMs).toBeLessThan(shape.roundTripBoundMs ?? BOUNDS.worstRoundTripMs);
      expect(report.rssGrowthMiB).toBeLessThan(shape.rssGrowthBoundMiB ?? BOUNDS.rssGrowthMiB);
    };
    const label = (scenario: string) => `${shape.name}: ${scenario}`;

    afterEach(async () => {
      for (const raw of raws.splice(0)) raw.destroy();
      await target?.release();
      target = undefined;
    });

    it('1. fragmented messages never finished: each connection is closed, memory stays bounded', async () => {
      const running = await start();
      const unfinished = Buffer.concat([
        clientFrame(Opcode.text, 'x', false),
        ...Array.from({ length: 15_999 }, () => clientFrame(Opcode.continuation, 'y', false)),
      ]);
      const attackers = await connectRaw(shape.connections);
      const report = await underAttack(running, label('unfinished fragments'), async () => {
        await Promise.all(attackers.map((raw) => raw.write(unfinished)));
        await within(() => attackers.every((raw) => raw.isEnded), 10_000);
      });
      expectWithinBounds(report);
      expect(attackers.filter((raw) => !raw.isEnded)).toHaveLength(0);
    });

    it('1. a message left incomplete is closed with 1008 once the incomplete-message timeout passes', async () => {
      const running = await start({ INCOMPLETE_MESSAGE_TIMEOUT_MS: String(INCOMPLETE_MESSAGE_TIMEOUT_MS) });
      const [fragments, trickle] = (await connectRaw(2)) as [RawWebSocket, RawWebSocket];
      const report = await underAttack(running, label('incomplete message'), async () => {
        await fragments.write(
          Buffer.concat([clientFrame(Opcode.text, 'x', false), clientFrame(Opcode.continuation, 'y', false)]),
        );
        // A frame header announcing 20,000 bytes, then a trickle that stops.
        await trickle.write(clientFrame(Opcode.text, 'z'.repeat(20_000)).subarray(0, 100));
        await within(() => fragments.isEnded && trickle.isEnded, INCOMPLETE_MESSAGE_TIMEOUT_MS + 4000);
      });
      expectWithinBounds(report);
      expect([fragments.closeCode, trickle.closeCode]).toEqual([1008, 1008]);
    });

    it('2. one TCP chunk holding many messages does not freeze anyone else', async () => {
      const running = await start();
      const [flooder, ...receivers] = await connectRaw(1 + shape.receivers);
      const witness = await ChatClient.connect(running.url);
      const chunk = Buffer.concat(Array.from({ length: shape.floodFrames }, () => sendMessageFrame('f')));
      const report = await underAttack(running, label('one chunk of many messages'), async () => {
        for (let round = 0; round < 2; round++) await (flooder as RawWebSocket).write(chunk);
        await (flooder as RawWebSocket).write(sendMessageFrame('flood-end'));
        await within(() => witness.frames.includes('flood-end'), 60_000);
      });
      witness.vanish();
      expectWithinBounds(report);
      expect(witness.frames.filter((frame) => frame === 'f')).toHaveLength(2 * shape.floodFrames);
      expect(witness.frames).toContain('flood-end');
      expect(receivers.every((raw) => !raw.isEnded)).toBe(true);
    });

    /**
     * Ten clients that stop reading while a flooder sends (for three seconds, or as long as the
     * shape needs to push more than the kernel holds for each reader). Then they read again: one
     * the server has disconnected finds its close frame, or the end of its stream, after its
     * backlog (a paused socket cannot see either).
     */
    const slowReaders = async (scenario: string, flood: (flooder: RawWebSocket, until: number) => Promise<void>) => {
      const running = await start();
      const slow = await connectRaw(10);
      for (const raw of slow) raw.stopReading();
      const [flooder] = (await connectRaw(1)) as [RawWebSocket];
      const report = await underAttack(running, label(scenario), async () => {
        await flood(flooder, Date.now() + (shape.slowReaderFloodMs ?? 3000));
        for (const raw of slow) raw.socket.resume();
        await within(() => slow.every(disconnected), 8000);
      });
      expectWithinBounds(report);
      expect(slow.filter((raw) => !disconnected(raw))).toHaveLength(0);
    };

    // The emulator delivers a few thousand posts a second: tiny messages would take minutes to fill
    // ten readers' kernel buffers and then their limits. Scenario 5 holds it to the same rule.
    if (shape.slowTinyFlood !== false) {
      it('3. clients that stop reading, and tiny messages as fast as one client can send: readers are cut, memory stays bounded', async () => {
        await slowReaders('slow readers, tiny messages', async (flooder, until) => {
          // Fills the kernel's buffers for each slow reader (about 4 MB on loopback) so that what
          // follows queues in the server.
          const big = sendMessageFrame('p'.repeat(30_000));
          for (let i = 0; i < 200; i++) await flooder.write(big);
          const burst = Buffer.concat(Array.from({ length: 1500 }, () => sendMessageFrame('xy')));
          while (Date.now() < until) await flooder.write(burst);
        });
      });
    }

    it('5. clients that stop reading, and 128 KiB messages: readers are cut, memory stays bounded', async () => {
      await slowReaders('slow readers, 128 KiB messages', async (flooder, until) => {
        const message = fragmentedMessage('x'.repeat(128 * 1024 - 34));
        // 40 a second: 5 MB/s to each reader, which a reading client keeps up with.
        while (Date.now() < until) {
          await flooder.write(message);
          await sleep(25);
        }
      });
    });

    it('4. SIGTERM under a saturating flood exits 0 within the shutdown grace period', async () => {
      const running = await start();
      const flooders = await connectRaw(2);
      await connectRaw(shape.receivers);
      const chunk = Buffer.concat(Array.from({ length: shape.floodFrames }, () => sendMessageFrame('f')));
      let flooding = true;
      const floods = flooders.map(async (raw) => {
        while (flooding && !raw.isEnded) await raw.write(chunk);
      });
      await sleep(1000);
      const signalled = performance.now();
      running.process.child.kill('SIGTERM');
      const exited = await Promise.race([running.process.exited, sleep(SHUTDOWN_GRACE_MS + 15_000).then(() => 'hung')]);
      const exitMs = Math.round(performance.now() - signalled);
      flooding = false;
      for (const raw of raws) raw.destroy();
      await Promise.all(floods);
      record(label('SIGTERM under flood'), { exited, exitMs });
      expect(exited).toBe(0);
      expect(exitMs).toBeLessThan(SHUTDOWN_GRACE_MS + 3000);
    });

    it('7. a flood of malformed frames writes a bounded number of log lines', async () => {
      const running = await start();
      const attackers = await connectRaw(shape.connections);
      const before = running.process.output().split('\n').length;
      const report = await underAttack(running, label('malformed frames'), async () => {
        const invalidUtf8 = clientFrame(Opcode.text, Buffer.from([0xff, 0xfe, 0xfd]));
        await Promise.all(attackers.map((raw) => raw.write(invalidUtf8)));
        await within(() => attackers.every((raw) => raw.isEnded), 10_000);
      });
      const lines = running.process.output().split('\n').length - before;
      record(label('malformed frames, log lines'), { lines });
      expectWithinBounds(report);
      expect(lines).toBeLessThan(30);
    });

    if (shape.capsPerAddress !== false) {
      it('8. 20,000 connection attempts from one address against a cap of 1,000: the rest get 429, memory stays bounded', async () => {
        const running = await start({ MAX_CONNECTIONS_PER_IP: '1000' });
        // The attacker is another loopback address, so the probe clients (127.0.0.1) are a different client.
        const attacker = '127.0.0.2';
        const held = await rawClients(running.url, 1000, 100, attacker);
        raws.push(...held);
        const answers = new Map<string, number>();
        const report = await underAttack(running, label('20,000 connection attempts from one address'), async () => {
          for (let attempt = 1000; attempt < 20_000; attempt += 200) {
            const tries = Array.from({ length: 200 }, () => RawWebSocket.connect(running.url, {}, attacker));
            for (const outcome of await Promise.allSettled(tries)) {
              if (outcome.status === 'fulfilled') raws.push(outcome.value);
              const answer =
                outcome.status === 'fulfilled'
                  ? 'accepted'
                  : String(outcome.reason).replace(/^.*upgrade refused: /, '');
              answers.set(answer, (answers.get(answer) ?? 0) + 1);
            }
          }
        });
        record(label('20,000 connection attempts, answers'), Object.fromEntries(answers));
        expectWithinBounds(report);
        expect(Object.fromEntries(answers)).toEqual({ 'HTTP/1.1 429 Too Many Requests': 19_000 });
        expect(held.filter((raw) => raw.isEnded)).toHaveLength(0);
      });
    }

    /**
     * Two flooders at full speed beside a thousand people chatting in rooms of ten. One floods
     * everyone: each frame it gets through is a broadcast to all, so it is held to its rate (and
     * a server busy delivering those may never see it go faster than that). The other floods a
     * room of its own: its frames cost nothing to refuse, so it is over its rate at any pace and
     * must be cut.
     */
    it('9. flooders at full speed while a crowd chats in rooms: held to their rate, then cut; the crowd loses nothing', async () => {
      const rate = shape.floodRate ?? { perSecond: 20, burst: 40 };
      const limit = { ...rate, cutAfterMs: 10_000 };
      // The probe, held to the same limit, sends at half of it.
      const probeIntervalMs = Math.max(100, 2000 / rate.perSecond);
      const running = await start({
        RATE_LIMIT_PER_S: String(rate.perSecond),
        RATE_LIMIT_BURST: String(rate.burst),
        RATE_LIMIT_CUT_AFTER_MS: String(limit.cutAfterMs),
      });
      const crowd = await Crowd.start(running.url, shape.crowd, 10);
      try {
        const quiet = await crowd.chat(5000, 2000);
        const [toEveryone, toItself] = (await connectRaw(2)) as [RawWebSocket, RawWebSocket];
        await toItself.write(clientFrame(Opcode.text, JSON.stringify({ action: 'joinRoom', room: 'flood' })));
        const frames = (frame: Buffer) => Buffer.concat(Array.from({ length: 100 }, () => frame));
        // When the room flooder first heard it was over its limit, and when its close arrived.
        let firstRefusedAt: number | undefined;
        let cutAt: number | undefined;
        toItself.socket.on('data', (chunk: Buffer) => {
          if (firstRefusedAt === undefined && chunk.includes('Error: Too many messages')) firstRefusedAt = Date.now();
        });
        void toItself.closed.then(() => {
          cutAt = Date.now();
        });
        let flooding = true;
        let floodStarted = Date.now();
        let floods: Promise<void>[] = [];
        let flooded: Awaited<ReturnType<Crowd['chat']>> | undefined;
        // The floods begin with the attack, after the probe's round trip at rest was measured.
        const report = await underAttack(
          running,
          label('flooders beside a chatting crowd'),
          async () => {
            floodStarted = Date.now();
            floods = [
              [toEveryone, frames(sendMessageFrame('flood'))],
              [toItself, frames(clientFrame(Opcode.text, '{"action":"sendMessage","room":"flood","data":"f"}'))],
            ].map(async ([raw, chunk]) => {
              const flooder = raw as RawWebSocket;
              while (flooding && !flooder.isEnded) await flooder.write(chunk as Buffer);
            });
            flooded = await crowd.chat(12_000, 2000);
            await within(() => cutAt !== undefined, 20_000);
          },
          1000,
          probeIntervalMs,
        );
        flooding = false;
        // Held to its rate, the flood to everyone ends when its client goes; what the server had
        // read of it by then is not the crowd's concern.
        const everyoneFlooderClosed = toEveryone.closeCode;
        toEveryone.destroy();
        await Promise.all(floods);
        // What the crowd got of the flood to everyone (each member got the same), and over how long.
        await sleep(500);
        const floodSeconds = (Date.now() - floodStarted) / 1000;
        const floodDelivered = crowd.framesOfFirstClient().filter((frame) => frame === 'flood').length;
        const figures = {
          quiet,
          flooded,
          floodDelivered,
          floodSeconds,
          everyoneFlooderClosed,
          roomFlooderClosed: toItself.closeCode,
          // From the flood's first write, and from the first refusal the flooder heard.
          cutAfterMs: cutAt === undefined ? undefined : cutAt - floodStarted,
          cutAfterRefusedMs: cutAt === undefined || firstRefusedAt === undefined ? undefined : cutAt - firstRefusedAt,
          rssPeakMiB: report.rssPeakMiB,
        };
        record(label('crowd beside flooders'), figures);
        console.log(
          `${shape.name}: ${shape.crowd} clients in rooms of 10 beside two flooders: ${JSON.stringify(figures)}`,
        );
        expectWithinBounds(report);
        expect(quiet.lost).toBe(0);
        expect(flooded?.sent).toBeGreaterThan(0);
        expect(flooded?.lost).toBe(0);
        expect(flooded?.duplicated).toBe(0);
        expect(flooded?.p99Ms).toBeLessThan(shape.roundTripBoundMs ?? BOUNDS.worstRoundTripMs);
        // The burst, then the rate for as long as it flooded.
        expect(floodDelivered).toBeGreaterThan(0);
        expect(floodDelivered).toBeLessThanOrEqual(rate.burst + Math.ceil(rate.perSecond * floodSeconds));
        expect(toItself.closeCode).toBe(shape.cutCloseCode ?? 1008);
        // Cut for flooding 10 s, not sooner: a flood starts with the first frame over the limit the
        // server handles, which cannot come before the flooder wrote it (one clock: one machine).
        expect(figures.cutAfterMs).toBeGreaterThanOrEqual(limit.cutAfterMs);
        // And as one flood: frames over the limit less than floodGapMs apart extend a flood, so the
        // cut comes at the first one handled after 10 s, sooner than 10 s + floodGapMs after the
        // flood's start (the first refusal heard is no earlier); a flood cut short and begun again
        // would be cut at least 10 s + floodGapMs after it. The flood is timed from that refusal,
        // not from the first write: a server busy with the crowd and the other flooder may handle
        // this one's frames slower than its rate for a while, and that is not yet a flood.
        expect(firstRefusedAt).toBeDefined();
        expect(figures.cutAfterRefusedMs).toBeLessThan(limit.cutAfterMs + floodGapMs(limit));
      } finally {
        crowd.close();
      }
    });
  });
}

const disconnected = (raw: RawWebSocket) => raw.closeCode !== undefined || raw.isEnded;

/** `{"action":"sendMessage","data":…}` in frames of at most 32 KiB, as a client must send a large message. */
function fragmentedMessage(data: string): Buffer {
  const text = Buffer.from(JSON.stringify({ action: 'sendMessage', data }));
  const size = 32 * 1024;
  if (text.length <= size) return clientFrame(Opcode.text, text);
  const frames: Buffer[] = [];
  for (let offset = 0; offset < text.length; offset += size) {
    const last = offset + size >= text.length;
    frames.push(
      clientFrame(offset === 0 ? Opcode.text : Opcode.continuation, text.subarray(offset, offset + size), last),
    );
  }
  return Buffer.concat(frames);
}

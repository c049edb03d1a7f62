import { afterEach, describe, expect, it, vi } from 'vitest';
import { STAGE_THROTTLE_DEFAULTS } from '../../src/entrypoints/lambda/deployedLimits.js';
import { ChatClient, delay } from '../support/ChatClient.js';
import { accessSuite } from './accessSuite.js';
import { awsLocalShape } from './awsLocalShape.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { protocolV2Suite } from './protocolV2Suite.js';
import type { RunningChat } from './RuntimeShape.js';

/** API Gateway's error frame for a throttled message, in its own spacing. */
const THROTTLED_FRAME =
  /^\{"message": "Too Many Requests", "connectionId":"[A-Za-z0-9]{15}=", "requestId":"[A-Za-z0-9]{15}="\}$/;

// Every delivery here is a signed PostToConnection over HTTP, as on AWS: the 500-client test
// makes 50,000 of them on this machine's few cores, well past the 30 s default.
vi.setConfig({ testTimeout: 120_000 });

chatEndToEndSuite(awsLocalShape);
protocolV2Suite(awsLocalShape);
accessSuite(awsLocalShape, { capsPerAddress: false });

describe('aws-local: the stage as the stack deploys it', () => {
  let chat: RunningChat | undefined;
  const clients: ChatClient[] = [];
  afterEach(async () => {
    for (const client of clients.splice(0)) client.vanish();
    await chat?.stop('SIGKILL');
    chat = undefined;
  });

  it("throttles a burst past the stage's default route throttling, answering as API Gateway does", async () => {
    const { rateLimit, burstLimit } = STAGE_THROTTLE_DEFAULTS;
    chat = await awsLocalShape.start({
      RATE_LIMIT_PER_S: '0',
      THROTTLE_RATE_LIMIT: String(rateLimit),
      THROTTLE_BURST_LIMIT: String(burstLimit),
    });
    const url = chat.urls[0] as string;
    // Twenty clients, so that no connection's backlog holds its frames back: the stage sees the
    // whole burst at once, as API Gateway would. Unknown actions: each invocation answers its sender only.
    // A cold start loads a dozen bundles: on a busy machine the first upgrade takes seconds.
    clients.push(...(await Promise.all(Array.from({ length: 20 }, () => ChatClient.connect(url, 60_000)))));
    const perClient = 20;
    const started = Date.now();
    for (const client of clients) for (let i = 0; i < perClient; i++) client.send('{"action":"nope"}');
    const frames = (await Promise.all(clients.map((client) => client.waitForFrames(perClient, 60_000)))).flat();
    const seconds = (Date.now() - started) / 1000;
    const throttled = frames.filter((frame) => frame.startsWith('{"message": "Too Many Requests"'));
    const answered = frames.filter((frame) => frame === 'Error: Invalid action type');
    expect(throttled.length + answered.length).toBe(clients.length * perClient);
    expect(throttled.length).toBeGreaterThan(0);
    for (const frame of throttled) expect(frame).toMatch(THROTTLED_FRAME);
    // The burst, plus at most what the rate refilled meanwhile.
    expect(answered.length).toBeGreaterThanOrEqual(burstLimit - clients.length);
    expect(answered.length).toBeLessThanOrEqual(burstLimit + Math.ceil(rateLimit * seconds));
    await delay(300);
    for (const client of clients) expect(client.frames).toHaveLength(perClient);
  });
});

import { vi } from 'vitest';
import { hostileSuite } from './hostileSuite.js';
import { awsLocal } from './support/targets.js';

// Each delivery is a signed PostToConnection over HTTP, as on AWS: far fewer receivers fit.
vi.setConfig({ testTimeout: 180_000 });

hostileSuite(
  awsLocal({
    receivers: 20,
    floodFrames: 60,
    connections: 100,
    // Its memory moves with load alone: 4 s of 128 KiB broadcasts to ten reading clients, no
    // attacker, add 130-200 MiB (three V8 isolates, and the SDK's buffers for every signed post).
    rssGrowthBoundMiB: 320,
    // A probe's message waits for one of two Lambda workers, busy with the flooder's invocations
    // (one signed post per connection each): that is the emulator's pace, not a frozen loop.
    roundTripBoundMs: 5000,
    // About ten 128 KiB broadcasts a second: 8 s to push past the kernel's 4 MB and the limit.
    slowReaderFloodMs: 8000,
    slowTinyFlood: false,
    // Each room message is ten signed posts: a hundred clients chatting keep the workers busy.
    crowd: 100,
    // The emulator makes a few hundred signed posts a second on two cores (about 500 in the README's
    // 15,000-connection run), where Lambda would run many fan-out invocations: a flood to everyone
    // at 20 a second would ask 2,000 alone.
    floodRate: { perSecond: 5, burst: 10 },
    capsPerAddress: false,
    // The handler cuts a flooder with DELETE @connections, which the stage answers with a normal close.
    cutCloseCode: 1000,
  }),
);

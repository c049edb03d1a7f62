import { vi } from 'vitest';
import { hostileSuite } from './hostileSuite.js';
import { standalone } from './support/targets.js';

// An unfixed server can take minutes to fail a scenario; the bounds inside fail it sooner.
vi.setConfig({ testTimeout: 90_000 });

hostileSuite(standalone({ receivers: 200, floodFrames: 1500, connections: 200, crowd: 1000 }));

import { vi } from 'vitest';
import { standaloneShape } from '../e2e/shapes.js';
import { chatPageSuite } from './chatPageSuite.js';

// A browser per test file, pages that wait out a reconnect's backoff: past the 30 s default.
vi.setConfig({ testTimeout: 90_000 });

chatPageSuite(standaloneShape);

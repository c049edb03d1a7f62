import { vi } from 'vitest';
import { awsLocalShape } from '../e2e/awsLocalShape.js';
import { chatPageSuite } from './chatPageSuite.js';

// A browser per test file, pages that wait out a reconnect's backoff: past the 30 s default.
vi.setConfig({ testTimeout: 150_000 });

chatPageSuite(awsLocalShape);

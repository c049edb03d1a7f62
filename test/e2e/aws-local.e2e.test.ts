import { vi } from 'vitest';
import { accessSuite } from './accessSuite.js';
import { awsLocalShape } from './awsLocalShape.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { protocolV2Suite } from './protocolV2Suite.js';

// Every delivery here is a signed PostToConnection over HTTP, as on AWS: the 500-client test
// makes 50,000 of them on this machine's few cores, well past the 30 s default.
vi.setConfig({ testTimeout: 120_000 });

chatEndToEndSuite(awsLocalShape);
protocolV2Suite(awsLocalShape);
accessSuite(awsLocalShape, { capsPerAddress: false });

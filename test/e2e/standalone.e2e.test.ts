import { accessSuite } from './accessSuite.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { protocolV2Suite } from './protocolV2Suite.js';
import { standaloneShape } from './shapes.js';

chatEndToEndSuite(standaloneShape);
protocolV2Suite(standaloneShape);
accessSuite(standaloneShape, { capsPerAddress: true });

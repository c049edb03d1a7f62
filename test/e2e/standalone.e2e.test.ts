import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { standaloneShape } from './shapes.js';

chatEndToEndSuite(standaloneShape);

import { awsLocalShape } from './awsLocalShape.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';

chatEndToEndSuite(awsLocalShape);

import { describe, expect, it } from 'vitest';
import { RejectUnknownAction } from '../../../src/application/index.js';
import { InvalidMessageDataError } from '../../../src/domain/index.js';
import { newId, RecordingGateway } from '../../support/fakes.js';

describe('RejectUnknownAction', () => {
  describe('execute', () => {
    it('sends the seed error frame to the sender alone', async () => {
      const gateway = new RecordingGateway();
      const sender = newId();
      await new RejectUnknownAction(gateway).execute(sender);
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('sends the reply of a more specific client error', async () => {
      const gateway = new RecordingGateway();
      const sender = newId();
      await new RejectUnknownAction(gateway).execute(sender, new InvalidMessageDataError());
      expect(gateway.posts).toEqual([
        { to: sender, frame: 'Error: sendMessage needs a "data" field holding a string' },
      ]);
    });
  });
});

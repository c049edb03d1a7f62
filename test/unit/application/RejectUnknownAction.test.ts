import { describe, expect, it } from 'vitest';
import { RejectUnknownAction, Replies } from '../../../src/application/index.js';
import { InvalidMessageDataError } from '../../../src/domain/index.js';
import { newId, RecordingGateway } from '../../support/fakes.js';

describe('RejectUnknownAction', () => {
  describe('execute', () => {
    it('sends the seed error frame to a text sender alone', async () => {
      const gateway = new RecordingGateway();
      const sender = newId();
      await new RejectUnknownAction(new Replies(gateway)).execute({ id: sender, format: 'text' });
      expect(gateway.posts).toEqual([{ to: sender, frame: 'Error: Invalid action type' }]);
    });

    it('sends the reply of a more specific client error, as an error event to a json sender', async () => {
      const gateway = new RecordingGateway();
      const sender = newId();
      await new RejectUnknownAction(new Replies(gateway)).execute(
        { id: sender, format: 'json' },
        new InvalidMessageDataError(),
      );
      expect(gateway.posts.map((post) => JSON.parse(post.frame))).toEqual([
        { type: 'error', code: 'INVALID_MESSAGE_DATA', message: 'sendMessage needs a "data" field holding a string' },
      ]);
    });
  });
});

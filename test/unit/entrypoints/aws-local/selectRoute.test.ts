import { describe, expect, it } from 'vitest';
import { selectRoute } from '../../../../src/entrypoints/aws-local/selectRoute.js';

const routes = { $connect: {}, $disconnect: {}, $default: {}, sendMessage: {} };

describe('selectRoute', () => {
  it('selects the route named by the action of a JSON object', () => {
    expect(selectRoute('{"action":"sendMessage","data":"hi"}', routes)).toBe('sendMessage');
  });

  it.each([
    ['an action with no route', '{"action":"shout"}'],
    ['no action', '{"data":"hi"}'],
    ['an action that is not a string', '{"action":7}'],
    ['text that is not JSON', 'hello'],
    ['a JSON value that is not an object', '["sendMessage"]'],
    ['null', 'null'],
    ['a $-route named by a client', '{"action":"$connect"}'],
    ['an inherited property name', '{"action":"toString"}'],
  ])('falls back to $default for %s', (_label, body) => {
    expect(selectRoute(body, routes)).toBe('$default');
  });
});

import { describe, expect, it } from 'vitest';
import { parseClientFrame } from '../../../src/application/index.js';
import { InvalidActionError } from '../../../src/domain/index.js';

describe('parseClientFrame', () => {
  it('reads the action and keeps the whole body', () => {
    expect(parseClientFrame('{"action":"sendMessage","data":"hi","extra":[1]}')).toEqual({
      action: 'sendMessage',
      body: { action: 'sendMessage', data: 'hi', extra: [1] },
    });
  });

  it('accepts any string action, known or not: choosing the route is the router’s job', () => {
    expect(parseClientFrame('{"action":"dance"}')).toMatchObject({ action: 'dance' });
    expect(parseClientFrame('{"action":""}')).toMatchObject({ action: '' });
  });

  it.each([
    ['text that is not JSON', 'hello world'],
    ['an empty frame', ''],
    ['a JSON array', '["sendMessage"]'],
    ['JSON null', 'null'],
    ['a JSON string', '"sendMessage"'],
    ['a JSON number', '1'],
    ['an object without action', '{"data":"x"}'],
    ['a numeric action', '{"action":1}'],
    ['an object action', '{"action":{"name":"sendMessage"}}'],
    ['an action only in the prototype', '{"__proto__":{"action":"sendMessage"}}'],
  ])('turns %s into the invalid-action error', (_label, text) => {
    expect(parseClientFrame(text)).toBeInstanceOf(InvalidActionError);
  });

  it('parses deeply nested JSON without failing', () => {
    const deep = `{"action":"x","data":${'['.repeat(5000)}${']'.repeat(5000)}}`;
    expect(parseClientFrame(deep)).toMatchObject({ action: 'x' });
  });
});

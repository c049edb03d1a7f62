import { describe, expect, it } from 'vitest';
import { DEFAULT_OPTIONS, parseOptions } from '../../../bench/options.js';

describe('parseOptions', () => {
  it('defaults to every scenario against its reference', () => {
    expect(parseOptions([], {})).toEqual(DEFAULT_OPTIONS);
  });

  it('reads flags in both forms, over environment variables', () => {
    const options = parseOptions(['--clients', '800', '--senders=20', '--no-build'], {
      BENCH_CLIENTS: '100',
      BENCH_SCALE_CLIENTS: '2000',
    });
    expect(options).toMatchObject({ clients: 800, senders: 20, scaleClients: 2000, build: false });
  });

  it('selects scenarios and refuses unknown ones', () => {
    expect(parseOptions(['--scenarios', 'standalone,scale'], {}).scenarios).toEqual(['standalone', 'scale']);
    expect(() => parseOptions(['--scenarios', 'mars'], {})).toThrow(/unknown scenario mars/);
  });

  it('refuses values out of range', () => {
    expect(() => parseOptions(['--clients', '0'], {})).toThrow(/clients must be an integer >= 1/);
    expect(() => parseOptions(['--senders', '5', '--clients', '2'], {})).toThrow(/senders cannot exceed clients/);
    expect(() => parseOptions(['--bogus', '1'], {})).toThrow(/unknown option/);
  });
});

import { describe, expect, it } from 'vitest';
import { shownUrl } from '../../../bench/remote.js';
import { isLoopbackHost, isRemoteRun, MAX_DELIVERIES, parseRemoteOptions } from '../../../bench/remoteOptions.js';

const wss = 'wss://abc123.execute-api.eu-west-1.amazonaws.com/production';

describe('isRemoteRun', () => {
  it('is a remote run exactly when --url is given, in either form', () => {
    expect(isRemoteRun(['--url', wss])).toBe(true);
    expect(isRemoteRun([`--url=${wss}`, '--clients', '5'])).toBe(true);
    expect(isRemoteRun(['--clients', '5'])).toBe(false);
    expect(isRemoteRun([])).toBe(false);
  });
});

describe('parseRemoteOptions', () => {
  it('has small, bounded defaults and no default URL', () => {
    expect(parseRemoteOptions(['--url', wss])).toEqual({
      url: wss,
      clients: 10,
      senders: 1,
      messages: 20,
      warmup: 2,
      payload: 64,
      window: 1,
      rate: 5,
      durationS: 60,
      outDir: 'bench/results',
    });
    expect(() => parseRemoteOptions([])).toThrow(/--url needs a ws:\/\/ or wss:\/\/ URL/);
    expect(() => parseRemoteOptions(['--clients', '5'])).toThrow(/--url needs/);
  });

  it('reads flags in both forms', () => {
    const options = parseRemoteOptions([
      `--url=${wss}?token=a=b`,
      '--clients=200',
      '--senders',
      '4',
      '--duration-s',
      '120',
      '--rate=0',
      '--out',
      '/tmp/x',
    ]);
    expect(options).toMatchObject({ clients: 200, senders: 4, durationS: 120, rate: 0, outDir: '/tmp/x' });
    expect(options.url).toBe(`${wss}?token=a=b`);
  });

  it.each([
    ['ws://127.0.0.1:8080/local'],
    ['ws://127.9.8.7:1/x'],
    ['ws://localhost:8080/local'],
    ['ws://[::1]:8080/local'],
  ])('accepts ws:// to loopback: %s', (url) => {
    expect(parseRemoteOptions(['--url', url]).url).toBe(new URL(url).href);
  });

  it('refuses ws:// to any other host unless --insecure, and any other scheme', () => {
    for (const url of ['ws://10.0.0.5:8080/x', 'ws://chat.example/production', 'ws://128.0.0.1/x', 'ws://[::2]/x']) {
      expect(() => parseRemoteOptions(['--url', url])).toThrow(/not loopback: use wss:\/\/, or --insecure/);
      expect(parseRemoteOptions(['--url', url, '--insecure']).url).toBe(new URL(url).href);
    }
    expect(() => parseRemoteOptions(['--url', 'https://chat.example/'])).toThrow(/must be wss:\/\/ or ws:\/\//);
    expect(() => parseRemoteOptions(['--url', 'not a url'])).toThrow(/--url needs/);
  });

  it.each([
    ['--clients', '0', /--clients must be an integer from 1 to 2000/],
    ['--clients', '2001', /--clients must be an integer from 1 to 2000/],
    ['--duration-s', '601', /--duration-s must be an integer from 1 to 600/],
    ['--messages', '1.5', /--messages must be an integer/],
    ['--payload', '40000', /--payload must be an integer from 24 to 30000/],
    ['--rate', '-1', /--rate must be an integer/],
  ])('bounds %s (refuses %s)', (flag, value, message) => {
    expect(() => parseRemoteOptions(['--url', wss, flag, value])).toThrow(message);
  });

  it('refuses more senders than clients, unknown options and stray arguments', () => {
    expect(() => parseRemoteOptions(['--url', wss, '--clients', '2', '--senders', '3'])).toThrow(
      /senders cannot exceed/,
    );
    expect(() => parseRemoteOptions(['--url', wss, '--scenarios', 'standalone'])).toThrow(/unknown option --scenarios/);
    expect(() => parseRemoteOptions(['--url', wss, 'extra'])).toThrow(/unexpected argument extra/);
    expect(() => parseRemoteOptions(['--url'])).toThrow(/--url needs a value/);
  });

  it(`caps a run at ${MAX_DELIVERIES.toLocaleString('en-US')} deliveries`, () => {
    // 2000 clients x 10 senders x (0 + 50) = 1,000,000: at the cap.
    const atCap = ['--url', wss, '--clients', '2000', '--senders', '10', '--messages', '50', '--warmup', '0'];
    expect(parseRemoteOptions([...atCap, '--rate', '0']).clients).toBe(2000);
    expect(() => parseRemoteOptions([...atCap, '--rate', '0', '--warmup', '1'])).toThrow(/1,020,000 deliveries/);
  });

  it('refuses a pace that cannot finish within the duration', () => {
    expect(() => parseRemoteOptions(['--url', wss, '--messages', '100', '--rate', '1', '--duration-s', '60'])).toThrow(
      /100 messages at 1\/s take 100 s, longer than --duration-s 60/,
    );
  });
});

describe('isLoopbackHost', () => {
  it('knows loopback from the rest', () => {
    expect(['localhost', 'LOCALHOST', '127.0.0.1', '127.255.0.3', '[::1]', '::1'].map(isLoopbackHost)).toEqual(
      Array(6).fill(true),
    );
    expect(
      ['10.0.0.1', '0.0.0.0', '::', '[::ffff:8.8.8.8]', 'localhost.example', '127.example'].map(isLoopbackHost),
    ).toEqual(Array(6).fill(false));
  });
});

describe('shownUrl', () => {
  it('leaves out the query string, where a token travels', () => {
    expect(shownUrl(`${wss}?token=secret.jwt.value`)).toBe(`${wss}?<query omitted>`);
    expect(shownUrl(wss)).toBe(wss);
  });
});

import { Metrics } from '@aws-lambda-powertools/metrics';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CHAT_METRICS, PowertoolsChatMetrics } from '../../../../src/adapters/powertools/index.js';

/** The EMF lines written to stdout while `act` runs, parsed. */
function emfLinesOf(act: () => void): Array<Record<string, unknown>> {
  const written: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    written.push(String(chunk));
    return true;
  });
  try {
    act();
  } finally {
    spy.mockRestore();
  }
  return written
    .flatMap((chunk) => chunk.split('\n'))
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((line) => '_aws' in line);
}

/** The metric definitions of an EMF line: name and unit. */
const definitionsOf = (line: Record<string, unknown>) =>
  (line._aws as { CloudWatchMetrics: Array<{ Namespace: string; Dimensions: string[][]; Metrics: unknown[] }> })
    .CloudWatchMetrics[0] ?? { Namespace: '', Dimensions: [], Metrics: [] };

describe('PowertoolsChatMetrics', () => {
  let metrics: PowertoolsChatMetrics;
  beforeEach(() => {
    vi.stubEnv('POWERTOOLS_METRICS_DISABLED', 'false');
    metrics = new PowertoolsChatMetrics(new Metrics({ namespace: 'TestChat', serviceName: 'chat-test' }));
  });
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  describe('publish', () => {
    it('writes one EMF line with the sums of every broadcast, and a duration per broadcast', () => {
      const lines = emfLinesOf(() => {
        metrics.frame('sendMessage');
        metrics.broadcast(12.5, 40, 2);
        metrics.broadcast(3, 9, 0);
        metrics.publish();
      });

      expect(lines).toHaveLength(1);
      const [line] = lines as [Record<string, unknown>];
      expect(line).toMatchObject({
        service: 'chat-test',
        route: 'sendMessage',
        [CHAT_METRICS.frames]: 1,
        [CHAT_METRICS.broadcasts]: 2,
        [CHAT_METRICS.deliveries]: 49,
        [CHAT_METRICS.gone]: 2,
        [CHAT_METRICS.broadcastDuration]: [12.5, 3],
      });
      const definition = definitionsOf(line);
      expect(definition.Namespace).toBe('TestChat');
      expect(definition.Dimensions).toEqual([['service']]);
      expect(definition.Metrics).toContainEqual({ Name: CHAT_METRICS.broadcastDuration, Unit: 'Milliseconds' });
      expect(definition.Metrics).toContainEqual({ Name: CHAT_METRICS.deliveries, Unit: 'Count' });
    });

    it('counts rate-limited frames and the senders cut for them', () => {
      const [line] = emfLinesOf(() => {
        metrics.rateLimited(false);
        metrics.rateLimited(true);
        metrics.publish();
      });
      expect(line).toMatchObject({ [CHAT_METRICS.rateLimited]: 2, [CHAT_METRICS.rateLimitCuts]: 1 });
      expect(line).not.toHaveProperty(CHAT_METRICS.deliveries);
    });

    it('writes nothing, not even a warning, when nothing was reported', () => {
      const warned = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
      try {
        expect(emfLinesOf(() => metrics.publish())).toEqual([]);
        expect(warned).not.toHaveBeenCalled();
      } finally {
        warned.mockRestore();
      }
    });

    it('starts each invocation from zero', () => {
      const lines = emfLinesOf(() => {
        metrics.frame('sendMessage');
        metrics.broadcast(1, 5, 1);
        metrics.publish();
        metrics.frame('joinRoom');
        metrics.publish();
      });
      expect(lines).toHaveLength(2);
      expect(lines[1]).toMatchObject({ route: 'joinRoom', [CHAT_METRICS.frames]: 1 });
      expect(lines[1]).not.toHaveProperty(CHAT_METRICS.deliveries);
      expect(lines[1]).not.toHaveProperty(CHAT_METRICS.broadcastDuration);
    });
  });
});

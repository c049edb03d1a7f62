import { describe, expect, it } from 'vitest';
import type { ChatMetrics } from '../../../src/domain/index.js';
import { buildCore } from '../../support/core.js';

/** A hand-written metrics fake: records every report. */
class RecordingMetrics implements ChatMetrics {
  readonly frames: string[] = [];
  readonly limited: boolean[] = [];
  readonly broadcasts: Array<{ delivered: number; gone: number }> = [];

  frame(route: string): void {
    this.frames.push(route);
  }

  rateLimited(cut: boolean): void {
    this.limited.push(cut);
  }

  broadcast(_durationMs: number, delivered: number, gone: number): void {
    this.broadcasts.push({ delivered, gone });
  }
}

describe('the core’s metrics', () => {
  it('counts frames by the route they took, and every refused one as invalid', async () => {
    const metrics = new RecordingMetrics();
    const { connect, send } = buildCore({ metrics });
    const sender = await connect();
    await send(sender, { action: 'sendMessage', data: 'x' });
    await send(sender, { action: 'joinRoom', room: 'r' });
    await send(sender, { action: 'dance' });
    await send(sender, 'not json');
    expect(metrics.frames).toEqual(['sendMessage', 'joinRoom', 'invalid', 'invalid']);
  });

  it('reports a broadcast once, with its totals, however many it reached', async () => {
    const metrics = new RecordingMetrics();
    const { connect, send, gateway } = buildCore({ metrics });
    const ids = [];
    for (let i = 0; i < 50; i++) ids.push(await connect());
    gateway.gone.add(ids[3]!);
    await send(ids[0]!, { action: 'sendMessage', data: 'to all' });
    expect(metrics.broadcasts).toEqual([{ delivered: 49, gone: 1 }]);
  });

  it('counts frames over the rate limit, and says which cut their sender off', async () => {
    const metrics = new RecordingMetrics();
    let now = 0;
    const { connect, send } = buildCore({
      metrics,
      rateLimit: { perSecond: 1, burst: 1, cutAfterMs: 1000 },
      now: () => now,
    });
    const sender = await connect();
    for (; now <= 1500; now += 100) await send(sender, { action: 'dance' });
    expect(metrics.limited.length).toBeGreaterThan(5);
    expect(metrics.limited).toContain(true);
  });
});

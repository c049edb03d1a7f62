import type { Metrics } from '@aws-lambda-powertools/metrics';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { ChatMetrics } from '../../domain/index.js';
import { CHAT_METRICS } from './chatMetricNames.js';

/**
 * The chat's metrics as CloudWatch embedded metric format, through Powertools. Reports are
 * summed in memory while an invocation runs and written as one EMF line when the handler calls
 * `publish`: the cost is a few additions per broadcast and one line per invocation, never one
 * per delivery. An invocation that reported nothing writes nothing.
 */
export class PowertoolsChatMetrics implements ChatMetrics {
  private deliveries = 0;
  private gone = 0;
  private broadcasts = 0;
  private frames = 0;
  private limited = 0;
  private cuts = 0;
  private route: string | undefined;

  constructor(private readonly metrics: Metrics) {}

  frame(route: string): void {
    this.frames += 1;
    this.route = route;
  }

  rateLimited(cut: boolean): void {
    this.limited += 1;
    if (cut) this.cuts += 1;
  }

  broadcast(durationMs: number, delivered: number, gone: number): void {
    this.broadcasts += 1;
    this.deliveries += delivered;
    this.gone += gone;
    // One value per broadcast: CloudWatch keeps them apart, so percentiles stay per broadcast.
    this.metrics.addMetric(CHAT_METRICS.broadcastDuration, MetricUnit.Milliseconds, durationMs);
  }

  /** Writes what this invocation reported as one EMF line, and starts the next one from zero. */
  publish(): void {
    const { metrics } = this;
    if (this.frames > 0) metrics.addMetric(CHAT_METRICS.frames, MetricUnit.Count, this.frames);
    if (this.route !== undefined) metrics.addMetadata('route', this.route);
    if (this.limited > 0) metrics.addMetric(CHAT_METRICS.rateLimited, MetricUnit.Count, this.limited);
    if (this.cuts > 0) metrics.addMetric(CHAT_METRICS.rateLimitCuts, MetricUnit.Count, this.cuts);
    if (this.broadcasts > 0) {
      metrics.addMetric(CHAT_METRICS.broadcasts, MetricUnit.Count, this.broadcasts);
      metrics.addMetric(CHAT_METRICS.deliveries, MetricUnit.Count, this.deliveries);
      metrics.addMetric(CHAT_METRICS.gone, MetricUnit.Count, this.gone);
    }
    this.deliveries = this.gone = this.broadcasts = this.frames = this.limited = this.cuts = 0;
    this.route = undefined;
    // Publishing an empty store would only log a warning that nothing was there.
    if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
  }
}

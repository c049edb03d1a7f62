import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import type { ChatMetrics } from '../../domain/index.js';

/** What a node's transport and cluster report beside the core, read when Prometheus scrapes. */
export interface NodeGauges {
  /** Connections open on this node now. */
  connectionsOpen(): number;
  /** Publications held for the other nodes (cluster only). */
  heldFrames?(): number;
  /** 1 while both Redis links are up (cluster only). */
  redisUp?(): number;
}

/**
 * The chat's metrics as Prometheus reads them, registered on a registry of the node's own
 * (`chat_` prefix). The core's reports are counters and a histogram updated once per frame or per
 * broadcast; what changes continuously is read at scrape time.
 */
export class PrometheusChatMetrics implements ChatMetrics {
  private readonly frames: Counter<'route'>;
  private readonly limited: Counter<'outcome'>;
  private readonly deliveries: Counter;
  private readonly gone: Counter;
  private readonly broadcasts: Histogram;
  readonly connects: Counter;
  readonly closes: Counter<'code'>;
  readonly refused: Counter<'status'>;
  readonly gaps: Counter<'outcome'>;

  constructor(registry: Registry, gauges: NodeGauges) {
    const registers = [registry];
    this.frames = new Counter({
      name: 'chat_frames_total',
      help: 'Client frames, by the route they took (invalid: rejected)',
      labelNames: ['route'],
      registers,
    });
    this.limited = new Counter({
      name: 'chat_rate_limited_total',
      help: 'Frames dropped over their sender’s rate limit (cut: the sender was disconnected)',
      labelNames: ['outcome'],
      registers,
    });
    this.deliveries = new Counter({ name: 'chat_deliveries_total', help: 'Frames delivered to clients', registers });
    this.gone = new Counter({ name: 'chat_gone_total', help: 'Deliveries to clients found gone', registers });
    this.broadcasts = new Histogram({
      name: 'chat_broadcast_duration_seconds',
      help: 'Time to deliver one broadcast (message or presence) to this node’s audience',
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
      registers,
    });
    this.connects = new Counter({ name: 'chat_connects_total', help: 'Connections accepted', registers });
    this.closes = new Counter({
      name: 'chat_closes_total',
      help: 'Connections closed, by WebSocket close code',
      labelNames: ['code'],
      registers,
    });
    this.refused = new Counter({
      name: 'chat_refused_total',
      help: 'Upgrades refused before they became connections, by HTTP status',
      labelNames: ['status'],
      registers,
    });
    this.gaps = new Counter({
      name: 'chat_cluster_gaps_total',
      help: 'Room messages missed in transit: recovered from history, or announced lost',
      labelNames: ['outcome'],
      registers,
    });
    gauge(registry, 'chat_connections_open', 'Connections open on this node', gauges.connectionsOpen);
    if (gauges.heldFrames !== undefined) {
      gauge(registry, 'chat_cluster_held_frames', 'Publications held for the other nodes', gauges.heldFrames);
    }
    if (gauges.redisUp !== undefined) gauge(registry, 'chat_redis_up', '1 while Redis is reachable', gauges.redisUp);
  }

  frame(route: string): void {
    this.frames.inc({ route });
  }

  rateLimited(cut: boolean): void {
    this.limited.inc({ outcome: cut ? 'cut' : 'dropped' });
  }

  broadcast(durationMs: number, delivered: number, gone: number): void {
    this.broadcasts.observe(durationMs / 1000);
    if (delivered > 0) this.deliveries.inc(delivered);
    if (gone > 0) this.gone.inc(gone);
  }
}

function gauge(registry: Registry, name: string, help: string, read: () => number): void {
  new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      this.set(read());
    },
  });
}

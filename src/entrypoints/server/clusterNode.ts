import type { Container } from 'inversify';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import { CLUSTER_TOKENS } from './clusterModule.js';
import type { ClusterLinks } from './connectCluster.js';

/** A running cluster node's Redis side. */
export interface ClusterNode {
  /** Leaves the cluster: this node's directory entries, heartbeat and registration are deleted. */
  leave(): Promise<void>;
}

/**
 * Registers this node (its first beat also purges nodes that died), then listens for frames
 * addressed to its connections and for broadcasts relayed by the other nodes.
 */
export async function startClusterNode(container: Container, links: ClusterLinks): Promise<ClusterNode> {
  const heartbeat = container.get(CLUSTER_TOKENS.Heartbeat);
  const gateway = container.get(CLUSTER_TOKENS.Gateway);
  const relay = container.get(CLUSTER_TOKENS.Relay);
  const directory = container.get(CLUSTER_TOKENS.Directory);
  const broadcast = container.get(TOKENS.BroadcastMessage);
  await heartbeat.start();
  await gateway.start();
  await relay.start((frame) => broadcast.deliverToAll(frame));
  log('info', 'cluster.joined', { nodeId: links.nodeId });
  return {
    async leave() {
      await heartbeat.stop();
      const unsent = await relay.stop();
      if (unsent > 0) log('warn', 'cluster.unsent_on_exit', { frames: unsent });
      await gateway.stop().catch(() => {});
      try {
        const purged = await withTimeout(directory.purgeNode(), 2000);
        log('info', 'cluster.left', { nodeId: links.nodeId, purged });
      } catch (error) {
        // Redis is away: the others purge this node once its heartbeat expires.
        log('warn', 'cluster.leave_failed', describeError(error));
      }
      await links.close();
    },
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

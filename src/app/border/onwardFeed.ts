/**
 * Tiers: a replica serving the register's feed onward to its checkpoints. It serves the batches and
 * snapshot its relay kept (exchange/relay), the register's replica images copied once and served
 * unchanged (checkpoints verify them like the batches), and — a centre's own stream — publishes the
 * batches as it archived them to a NATS JetStream stream of its own (`publishBus`).
 */
import type { FastifyInstance } from 'fastify';
import { registerFeedRoutes } from '../../transport/http/feedRoutes.js';
import type { FeedRelay, RelayStatus } from '../../border/relay/relay.js';
import { RelayImages } from '../../border/relay/relayImages.js';
import type { ReplicaTrust } from '../../border/sync/trust.js';
import { createLogger, type Logger } from '../../shared/log.js';
import type { ServiceMetrics } from '../../shared/metrics.js';
import type { AuthGate } from '../../auth/route.js';
import type { HttpFeedClient } from '../../transport/http/httpFeedClient.js';
import { type PublisherStatus, startBusPublisher } from '../../transport/nats/publisher.js';

export interface OnwardFeed {
  /** For the status page: the relay's state, and the onward stream's when there is one. */
  status(): RelayStatus | (RelayStatus & { stream: PublisherStatus });
  /** Stops publishing to the onward stream (the relay itself is closed with the feed path). */
  stop(): Promise<void>;
}

export interface OnwardOptions {
  dataDir: string;
  upstream: HttpFeedClient;
  trust: ReplicaTrust;
  log: Logger;
  publishBus: string | undefined;
  metrics: ServiceMetrics;
}

export function serveOnward(app: FastifyInstance, gate: AuthGate, relay: FeedRelay, options: OnwardOptions): OnwardFeed {
  const stream = options.publishBus ? startBusPublisher(options.publishBus, relay, options.metrics, createLogger('bus'), 'erx_replica_onward') : null;
  registerFeedRoutes(app, gate, relay, undefined, new RelayImages({ dataDir: options.dataDir, upstream: options.upstream, trust: options.trust, log: options.log }));
  return {
    status: () => (stream ? { ...relay.status(), stream: stream.status() } : relay.status()),
    stop: async () => {
      await stream?.stop();
    },
  };
}

/**
 * How a replica reaches its feed, chosen from configuration: long-polling the register (or an upstream
 * replica) over HTTP, or taking pages from its NATS JetStream stream (`bus`) with snapshots and keys
 * still over HTTP; and, for a replica that serves the feed onward (tiers), a relay that keeps the
 * snapshot and batches as they pass, for its checkpoints (exchange/relay).
 */
import type { Logger } from '../../shared/log.js';
import { FeedRelay } from '../../border/relay/relay.js';
import type { ReplicaTrust } from '../../border/sync/trust.js';
import type { FeedClient } from '../../border/sync/feedClient.js';
import { HttpFeedClient } from '../../transport/http/httpFeedClient.js';
import { parseBusUrl } from '../../transport/nats/busConfig.js';
import { JetStreamFeedClient } from '../../transport/nats/jetStreamFeedClient.js';
import type { BorderOptions } from './borderOptions.js';

export interface FeedPath {
  /** Always there: snapshots, keys, digests and images come over HTTP whatever carries the pages. */
  http: HttpFeedClient;
  bus: JetStreamFeedClient | null;
  relay: FeedRelay | null;
  /** What the follower reads from: the bus or HTTP, teed through the relay when there is one. */
  client: FeedClient;
  /** For the status page: which transport carries the pages, and how it fares. */
  transport(): { kind: 'http' } | { kind: 'jetstream'; stream: string; lastPage: JetStreamFeedClient['lane']; httpFallbacks: Record<string, number> };
  /** Closes the relay, then the bus connection. */
  close(): Promise<void>;
}

type FeedChoice = Pick<BorderOptions, 'dataDir' | 'registerUrl' | 'token' | 'ca' | 'bus' | 'serveFeed'>;

export function feedClientFor(options: FeedChoice, trust: ReplicaTrust, log: Logger): FeedPath {
  const http = new HttpFeedClient(options.registerUrl, options.token, options.ca !== undefined ? { ca: options.ca } : {});
  const bus = options.bus ? new JetStreamFeedClient({ bus: parseBusUrl(options.bus), http, log }) : null;
  const relay = options.serveFeed ? new FeedRelay({ dataDir: options.dataDir, upstream: http, trust, log }) : null;
  return {
    http,
    bus,
    relay,
    client: relay ? relay.teeing(bus ?? http) : (bus ?? http),
    transport: () => (bus ? { kind: 'jetstream', stream: bus.stream, lastPage: bus.lane, httpFallbacks: bus.fallbacks } : { kind: 'http' }),
    async close() {
      await relay?.close();
      await bus?.close();
    },
  };
}

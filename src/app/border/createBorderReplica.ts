/**
 * A border replica process, composed: its store (chosen by URL), its feed (HTTP or JetStream, relayed
 * onward in tiers), the follower that applies it, screening, metrics, routes, audit and probes. Each
 * part is a named unit beside this file; this only wires them, in the order the start-up needs.
 */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import type { VerifyReport } from '../../border/antiEntropy.js';
import { liveWindowMs } from '../../border/freshness.js';
import type { Freshness } from '../../border/freshness.js';
import { DEFAULT_MAX_STALENESS_SECONDS, ScreeningService } from '../../border/screening.js';
import { registerContestForwarding } from '../../border/contestForwarding.js';
import { registerSelfCheck } from '../../border/selfCheck.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import { borderConsole } from '../../console/border.js';
import { Follower } from '../../border/sync/follower.js';
import { defaultMatcher } from '../../matching/index.js';
import { createLogger } from '../../shared/log.js';
import { createMetrics, type ServiceMetrics } from '../../shared/metrics.js';
import { HttpContestUpstream } from '../../transport/http/httpContestUpstream.js';
import type { AuthGate } from '../../auth/route.js';
import { registerProbes } from '../probes.js';
import { serviceServer } from '../serviceServer.js';
import { type BorderOptions, refuseConflictingOptions } from './borderOptions.js';
import { registerBorderRoutes } from './borderRoutes.js';
import { type Manifests, serveManifests } from './manifests.js';
import { feedClientFor } from './feedPath.js';
import { serveOnward } from './onwardFeed.js';
import { openReplicaStore } from './openReplicaStore.js';
import { replicaReadiness } from './replicaReadiness.js';
import { serveReplicaAudit } from './replicaAudit.js';
import { serveReplicaOutcomes } from './replicaOutcomes.js';
import { longPollWithin, replicaFreshness } from './replicaFreshness.js';
import { replicaMetrics } from './replicaMetrics.js';
import { replicaTrust } from './replicaTrust.js';
import { replicaVerifier } from './replicaVerifier.js';
import { watchReplicaStore } from './watchedReplicaStore.js';
import { type SyncSources, syncViewOf } from './syncStatus.js';
import type { ReplicaHealth } from '../../border/replicaHealth.js';
import { ErxError } from '../../shared/errors.js';

export { type BorderOptions, DEFAULT_CHECK_EVERY_MS } from './borderOptions.js';

export interface BorderReplica {
  app: FastifyInstance;
  store: ReplicaStore;
  follower: Follower;
  health: ReplicaHealth;
  /** What the follower, the health checks and the relay say now: published for other workers (workers.ts). */
  sync: SyncSources;
  metrics: ServiceMetrics;
  gate: AuthGate;
  manifests: Manifests;
  freshness(): Promise<Freshness>;
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export async function createBorderReplica(options: BorderOptions): Promise<BorderReplica> {
  refuseConflictingOptions(options);
  mkdirSync(options.dataDir, { recursive: true }); // holds the trusted keys even when the state lives in PostgreSQL
  const log = createLogger('border');
  const trust = replicaTrust(options, log);
  const matcher = options.matcher ?? defaultMatcher;
  const storeUrl = options.store ?? process.env.ERX_STORE;
  const { store, health } = await watchReplicaStore(openReplicaStore({ dataDir: options.dataDir, store: storeUrl, matcher }), { log, checkEveryMs: options.checkEveryMs, verifyEveryMs: options.verifyEveryMs });
  const feed = feedClientFor(options, trust, log);
  const maxStalenessSeconds = options.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS;
  const longPollMs = longPollWithin(options.longPollMs, maxStalenessSeconds);
  const { batchSize, onBootstrapProgress, images } = options;
  const follower = new Follower({ store, client: feed.client, trust, log, longPollMs, ...(batchSize !== undefined ? { batchSize } : {}), ...(onBootstrapProgress ? { onBootstrapProgress } : {}), ...(images !== undefined ? { images } : {}) });
  const freshness = replicaFreshness(store, follower, liveWindowMs(longPollMs, maxStalenessSeconds));
  feed.relay?.attach(follower, store, freshness);
  const metrics = createMetrics('border');
  const counters = replicaMetrics(metrics, { store, follower, freshness, health });
  const screening = new ScreeningService({ store, matcher, freshness, damage: () => health.damageNow(), maxStalenessSeconds, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  const { app, gate } = await serviceServer('border', 'A border replica: screening of travellers against the replicated register.', options, metrics);
  const onward = feed.relay ? serveOnward(app, gate, feed.relay, { dataDir: options.dataDir, upstream: feed.http, trust, log, publishBus: options.publishBus, metrics }) : null;
  const verifier = replicaVerifier({ follower, store, client: feed.client, trust, health, log, onReport: (report) => counters.repaired(report) });
  const sync: SyncSources = { follower, feed, onward, trust, health, verifier };
  const verify = async () => {
    const damaged = health.damageNow();
    if (damaged) throw new ErxError(503, damaged);
    return verifier.verify();
  };
  registerBorderRoutes(app, gate, { store, screening, freshness, syncView: async () => syncViewOf(sync), verify, counters, maxStalenessSeconds });
  await registerSelfCheck(app, gate, store, undefined, options.timeZone);
  const manifests = serveManifests(app, gate, { dataDir: options.dataDir, store: storeUrl, screening, log }); // carriers' manifests (docs/manifests.md)
  manifests.attach(follower);
  const outcomes = serveReplicaOutcomes(app, gate, store, { dataDir: options.dataDir, registerUrl: options.registerUrl, token: options.token, relaying: feed.relay !== null, log }); // the reverse channel (issue #18)
  // Contests are the register's: forwarded upstream with this replica's token (docs/due-process.md).
  await registerContestForwarding(app, gate, new HttpContestUpstream(options.registerUrl, options.token, options.ca !== undefined ? { ca: options.ca } : {}));
  const audit = serveReplicaAudit(app, gate, { ...options, store: storeUrl, everyMs: options.auditHeadEveryMs, witnessing: feed.relay !== null, log });
  await borderConsole(app, gate, store, { registerUrl: options.registerUrl }); // the web console (src/console, web/)
  health.start(follower, verifier.verify); // the database check and the digest comparison, at start and on their intervals
  registerProbes(app, 'Ready: bootstrapped and within the staleness bound', async () => {
    const damaged = health.damageNow();
    const current = damaged ? null : await freshness();
    return replicaReadiness({ damaged, freshness: current, unchecked: health.notReadyBecause(), maxStalenessSeconds });
  });
  return {
    app,
    store,
    follower,
    health,
    sync,
    metrics,
    gate,
    manifests,
    freshness,
    verify: verifier.verify,
    async close() {
      health.close();
      await app.close();
      await follower.stop();
      await outcomes.close();
      await onward?.stop();
      await feed.close();
      await manifests.close();
      await audit.close();
      await store.close();
    },
  };
}

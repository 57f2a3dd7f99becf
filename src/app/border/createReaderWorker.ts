/**
 * A replica's worker beside its writer (workers.ts): it answers screenings, carriers' manifests, the
 * screening list, the status, the self-check and the console from the same databases, and nothing else
 * of its own. It
 * opens the store as a reader (no migration, no follower, no checks: the writer does those), takes its
 * freshness, status and readiness from the state and the view the writer publishes through the store
 * (syncView.ts), appends its screenings to the one audit chain, and passes the writer's routes to the
 * writer (writerLink.ts). Damage it meets in its own reads it reports (`onDamage`) and refers on.
 */
import { mkdirSync } from 'node:fs';
import { liveWindowMs } from '../../border/freshness.js';
import { DEFAULT_MAX_STALENESS_SECONDS, ScreeningService } from '../../border/screening.js';
import { registerSelfCheck } from '../../border/selfCheck.js';
import type { SyncView } from '../../border/syncView.js';
import { borderConsole } from '../../console/border.js';
import { defaultMatcher } from '../../matching/index.js';
import { createLogger } from '../../shared/log.js';
import { createMetrics, type ServiceMetrics } from '../../shared/metrics.js';
import { registerProbes } from '../probes.js';
import { serviceServer } from '../serviceServer.js';
import type { BorderOptions } from './borderOptions.js';
import { registerBorderRoutes } from './borderRoutes.js';
import { openReplicaStore } from './openReplicaStore.js';
import { replicaReadiness } from './replicaReadiness.js';
import { longPollWithin, replicaFreshnessFromStore } from './replicaFreshness.js';
import { replicaMetrics } from './replicaMetrics.js';
import { watchReplicaStore } from './watchedReplicaStore.js';
import { serveManifests } from './manifests.js';
import { passToWriter } from './writerLink.js';
import type { FastifyInstance } from 'fastify';
import type { ReplicaStore } from '../../border/replicaStore.js';

export interface ReaderWorker {
  app: FastifyInstance;
  store: ReplicaStore;
  metrics: ServiceMetrics;
  close(): Promise<void>;
}

export interface ReaderLinks {
  /** The writer's loopback URL, or null while it (re)starts. */
  writerUrl: () => string | null;
  /** Damage met in this worker's reads: the writer should check and rebuild. */
  onDamage: (reason: string) => void;
}

export async function createReaderWorker(options: BorderOptions, links: ReaderLinks): Promise<ReaderWorker> {
  mkdirSync(options.dataDir, { recursive: true });
  const log = createLogger('border');
  const matcher = options.matcher ?? defaultMatcher;
  const storeUrl = options.store ?? process.env.ERX_STORE;
  const opened = openReplicaStore({ dataDir: options.dataDir, store: storeUrl, matcher, role: 'reader' });
  const { store, health } = await watchReplicaStore(opened, { log, checkedElsewhere: true, onDamage: links.onDamage });
  const maxStalenessSeconds = options.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS;
  const longPollMs = longPollWithin(options.longPollMs, maxStalenessSeconds);
  // The writer's view as last read: the damage it found must reach the screening's synchronous check.
  let lastView: SyncView | null = null;
  const syncView = async () => (lastView = await store.syncView());
  const fromStore = replicaFreshnessFromStore(store, liveWindowMs(longPollMs, maxStalenessSeconds));
  const freshness = async () => {
    await syncView();
    return fromStore();
  };
  const metrics = createMetrics('border');
  const counters = replicaMetrics(metrics, { store, follower: null, freshness, health });
  const damage = () => health.damageNow() ?? lastView?.damage ?? null;
  const screening = new ScreeningService({ store, matcher, freshness, damage, maxStalenessSeconds, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  const { app, gate } = await serviceServer('border', 'A border replica: screening of travellers against the replicated register.', options, metrics);
  passToWriter(app, links.writerUrl);
  registerBorderRoutes(app, gate, { store, screening, freshness, syncView, verify: null, counters, maxStalenessSeconds });
  await registerSelfCheck(app, gate, store, undefined, options.timeZone);
  await borderConsole(app, gate, store, { registerUrl: options.registerUrl });
  // Carriers' manifests are screened where they arrive, on every core: the manifest store is shared by
  // the workers (one SQLite file in WAL, or PostgreSQL), and re-screening and webhook delivery stay the
  // writer's, which reads the new manifest from that store at its next pass.
  const manifests = serveManifests(app, gate, { dataDir: options.dataDir, store: storeUrl, screening, log });
  registerProbes(app, 'Ready: bootstrapped and within the staleness bound', async () => {
    const view = await syncView().catch(() => null);
    const damaged = damage();
    const current = damaged ? null : await freshness();
    const unchecked = view ? view.notReadyBecause : "waiting for the replica's writer to publish its state";
    return replicaReadiness({ damaged, freshness: current, unchecked, maxStalenessSeconds });
  });
  return {
    app,
    store,
    metrics,
    async close() {
      health.close();
      await app.close();
      await manifests.close();
      await store.close();
    },
  };
}

/**
 * Carriers' manifests on a border replica, composed: the manifest store chosen like the replica's (a
 * postgres:// URL: a schema beside the replica's; else manifests.db in the data directory), the service,
 * its routes, and — in the process that runs the follower — re-screening after each applied page or
 * relief, and every minute of the manifests due (a restriction coming into force, a lift or a deferment
 * ending at a set time: answers that change with no change in the feed), and the webhook outbox's delivery.
 */
import type { FastifyInstance } from 'fastify';
import { ManifestService } from '../../border/manifests/manifestService.js';
import type { ManifestStore } from '../../border/manifests/manifestStore.js';
import { Rescreener } from '../../border/manifests/rescreen.js';
import { WebhookDelivery } from '../../border/manifests/webhookDelivery.js';
import type { ScreeningService } from '../../border/screening.js';
import type { Follower } from '../../border/sync/follower.js';
import type { AuthGate } from '../../auth/route.js';
import { DEFAULT_REPLICA_SCHEMA, isPostgresUrl, postgresLocation } from '../../store/postgres/index.js';
import { manifestSchemaOf, PostgresManifestStore } from '../../store/postgres/manifestStore.js';
import { SqliteManifestStore } from '../../store/sqlite/manifestStore.js';
import type { Logger } from '../../shared/log.js';
import { registerManifestRoutes } from './manifestRoutes.js';

export const RESCREEN_EVERY_MS = 60_000;

export function openManifestStore(dataDir: string, storeUrl: string | undefined): ManifestStore {
  if (!isPostgresUrl(storeUrl)) return new SqliteManifestStore(dataDir);
  const location = postgresLocation(storeUrl, DEFAULT_REPLICA_SCHEMA);
  return new PostgresManifestStore({ ...location, schema: manifestSchemaOf(location.schema) });
}

export interface ManifestsOptions {
  dataDir: string;
  store: string | undefined;
  screening: ScreeningService;
  log: Logger;
  rescreenEveryMs?: number;
  webhookBackoffMs?: number;
}

export interface Manifests {
  store: ManifestStore;
  service: ManifestService;
  rescreener: Rescreener;
  delivery: WebhookDelivery;
  /** Re-screens after the follower changes the replica, and delivers webhooks (the follower's process only). */
  attach(follower: Follower): void;
  close(): Promise<void>;
}

export function serveManifests(app: FastifyInstance, gate: AuthGate, options: ManifestsOptions): Manifests {
  const store = openManifestStore(options.dataDir, options.store);
  const service = new ManifestService({ store, screening: options.screening });
  const delivery = new WebhookDelivery({ store, log: options.log, ...(options.webhookBackoffMs !== undefined ? { backoffMs: options.webhookBackoffMs } : {}) });
  const rescreener = new Rescreener({ store, service, log: options.log, onQueued: () => void delivery.poke() });
  registerManifestRoutes(app, gate, { service, store });
  let timer: NodeJS.Timeout | null = null;
  let attached = false;
  return {
    store,
    service,
    rescreener,
    delivery,
    attach(follower) {
      attached = true;
      const rescreen = () => void rescreener.trigger();
      follower.on('pageApplied', (batches: unknown[]) => batches.length > 0 && rescreen());
      follower.on('relief', (_after: number, applied: number) => applied > 0 && rescreen());
      follower.on('bootstrapped', rescreen);
      // Once at start, everything: the answers stored may have been decided by another version of erx.
      rescreen();
      // The clock's pass reads only the manifests it can change (rescreen.ts).
      timer = setInterval(() => void rescreener.tick(), options.rescreenEveryMs ?? RESCREEN_EVERY_MS);
      timer.unref();
      delivery.start();
    },
    async close() {
      if (timer) clearInterval(timer);
      if (attached) {
        await rescreener.idle();
        await delivery.stop();
      }
      await store.close();
    },
  };
}

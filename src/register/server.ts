/** A register process: the issuing API and the exchange feed it serves to replicas. */
import type { FastifyInstance } from 'fastify';
import { registerFeedRoutes } from '../exchange/feedRoutes.js';
import { RegisterKeys } from '../exchange/keys.js';
import { createServer } from '../shared/http.js';
import { SqliteRegisterStore } from '../store/sqlite/registerStore.js';
import { registerRegisterRoutes } from './routes.js';
import { RegisterService } from './service.js';
import type { RegisterStore } from './store.js';

export interface RegisterProcess {
  app: FastifyInstance;
  store: RegisterStore;
  service: RegisterService;
  keys: RegisterKeys;
  close(): Promise<void>;
}

/** The register's store, signing its batches with the keys kept beside it. */
export function openRegisterStore(dataDir: string, keys = new RegisterKeys(dataDir)): RegisterStore {
  return new SqliteRegisterStore(dataDir, keys);
}

export function createRegister(options: { dataDir: string }): RegisterProcess {
  const keys = new RegisterKeys(options.dataDir);
  const store = openRegisterStore(options.dataDir, keys);
  const service = new RegisterService(store);
  const app = createServer({ name: 'register' });
  registerRegisterRoutes(app, service);
  registerFeedRoutes(app, { ...bindFeed(store), keys: async () => keys.published() });
  app.get('/healthz', async () => ({ ok: true }));
  return {
    app,
    store,
    service,
    keys,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

function bindFeed(store: RegisterStore) {
  return {
    headSeq: () => store.headSeq(),
    batchesAfter: (after: number, max: number) => store.batchesAfter(after, max),
    oldestSeq: () => store.oldestSeq(),
    snapshot: (options?: { buckets?: number[] }) => store.snapshot(options),
    onCommit: (listener: (head: number) => void) => store.onCommit(listener),
  };
}

/** A register process: the issuing API and the exchange feed it serves to replicas. */
import type { FastifyInstance } from 'fastify';
import { registerFeedRoutes } from '../exchange/feedRoutes.js';
import { createServer } from '../shared/http.js';
import { SqliteRegisterStore } from '../store/sqlite/registerStore.js';
import { registerRegisterRoutes } from './routes.js';
import { RegisterService } from './service.js';
import type { RegisterStore } from './store.js';

export interface RegisterProcess {
  app: FastifyInstance;
  store: RegisterStore;
  service: RegisterService;
  close(): Promise<void>;
}

export function openRegisterStore(dataDir: string): RegisterStore {
  return new SqliteRegisterStore(dataDir);
}

export function createRegister(options: { dataDir: string }): RegisterProcess {
  const store = openRegisterStore(options.dataDir);
  const service = new RegisterService(store);
  const app = createServer({ name: 'register' });
  registerRegisterRoutes(app, service);
  registerFeedRoutes(app, store);
  app.get('/healthz', async () => ({ ok: true }));
  return {
    app,
    store,
    service,
    async close() {
      await app.close();
      await store.close();
    },
  };
}

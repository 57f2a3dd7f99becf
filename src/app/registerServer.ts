/** A register process: the issuing API and the exchange feed it serves to replicas. */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS, startAuditHeads } from './auditHeads.js';
import { registerAuditRoutes } from '../audit/auditRoutes.js';
import { AuditWitness } from '../audit/witness.js';
import { ServiceTokens } from '../auth/serviceTokens.js';
import { type FeedObserver, registerFeedRoutes } from '../transport/http/feedRoutes.js';
import { headClaimer } from '../exchange/headClaim.js';
import { RegisterKeys } from '../auth/keyRing.js';
import { registerConsole } from '../console/register.js';
import { createServer, type TlsFiles } from '../shared/http.js';
import type { AuthGate } from '../auth/route.js';
import { createMetrics, instrumentHttp } from '../shared/metrics.js';
import { isPostgresUrl, postgresRegisterStore } from '../store/postgres/index.js';
import { SqliteRegisterStore } from '../store/sqlite/registerStore.js';
import { startBusPublisher } from '../transport/nats/publisher.js';
import { loadGrantTable } from '../register/grantTableFile.js';
import { ReplicaImages } from '../store/sqlite/replicaImages.js';
import { registerRegisterRoutes } from '../register/routes.js';
import { RegisterService } from '../register/registerService.js';
import type { RegisterStore } from '../register/registerStore.js';

export interface RegisterProcess {
  app: FastifyInstance;
  store: RegisterStore;
  service: RegisterService;
  keys: RegisterKeys;
  close(): Promise<void>;
}

export interface RegisterOptions {
  dataDir: string;
  /** A postgres:// URL to keep the register in PostgreSQL; default: SQLite in dataDir (or ERX_STORE). */
  store?: string;
  /** Require bearer tokens (default). Off only for local experiments. */
  auth?: boolean;
  /** A nats:// URL: also publish every signed batch to this JetStream (docs/nats.md). */
  bus?: string;
  /** Sign the audit chain's head this often when it moved, and at shutdown (ms; default 60 s). */
  auditHeadEveryMs?: number;
  /** Serve HTTPS with this certificate and key (shared/tlsFiles.ts reads them). */
  tls?: TlsFiles;
  /** The border replica's URL as browsers reach it: the web console links there and may read its status (default: ERX_CONSOLE_PEER). */
  consolePeer?: string;
}

/**
 * The register's store, signing its batches with the keys kept beside it: embedded SQLite in `dataDir`
 * by default, PostgreSQL when `store` (or ERX_STORE) is a postgres:// URL. Keys and the token secret
 * stay in `dataDir` either way.
 */
export function openRegisterStore(dataDir: string, keys = new RegisterKeys(dataDir), store = process.env.ERX_STORE): RegisterStore {
  return isPostgresUrl(store) ? postgresRegisterStore(store, keys) : new SqliteRegisterStore(dataDir, keys);
}

export async function createRegister(options: RegisterOptions): Promise<RegisterProcess> {
  const grants = loadGrantTable(options.dataDir).table; // before anything opens: a bad file stops the start
  const keys = new RegisterKeys(options.dataDir);
  const store = openRegisterStore(options.dataDir, keys, options.store ?? process.env.ERX_STORE);
  const service = new RegisterService(store, undefined, grants);
  const gate: AuthGate = options.auth === false ? { secret: null } : new ServiceTokens(options.dataDir);
  const app = await createServer({ name: 'register', description: 'The issuing side of erx: persons, restrictions and the signed exchange feed.', ...(options.tls ? { tls: options.tls } : {}) });
  const metrics = createMetrics('register');
  instrumentHttp(app, metrics);

  const written = metrics.counter('erx_register_changes_written_total', 'Changes appended to the change log');
  let lastHead = await store.headSeq();
  store.onCommit((head) => {
    written.inc(head - lastHead);
    lastHead = head;
  });
  metrics.gauge('erx_register_head_seq', 'Newest sequence number in the change log', [], async function () {
    this.set(await store.headSeq());
  });
  metrics.gauge('erx_register_log_oldest_seq', 'Oldest sequence number still in the change log (retention)', [], async function () {
    this.set(await store.oldestSeq());
  });
  metrics.gauge('erx_register_log_changes', 'Changes retained in the change log', [], async function () {
    this.set((await store.headSeq()) - (await store.oldestSeq()) + 1);
  });
  const snapshots = metrics.gauge('erx_register_snapshot_streams_in_progress', 'Snapshot streams being sent');
  const waiting = metrics.gauge('erx_register_feed_waiting_requests', 'Long-poll requests waiting for a change');
  const cursors = metrics.gauge('erx_register_feed_client_cursor', 'Last cursor each feed client asked from', ['client']);
  const observer: FeedObserver = {
    snapshotStarted: () => snapshots.inc(),
    snapshotEnded: () => snapshots.dec(),
    waitStarted: () => waiting.inc(),
    waitEnded: () => waiting.dec(),
    cursor: (client, after) => cursors.set({ client }, after),
  };

  registerRegisterRoutes(app, gate, service);
  // Signed audit heads (app/auditHeads.ts), and the witness for the replicas' heads.
  const auditHeads = startAuditHeads({
    dataDir: options.dataDir,
    store: options.store ?? process.env.ERX_STORE,
    service: 'register',
    name: 'register',
    everyMs: options.auditHeadEveryMs ?? DEFAULT_AUDIT_HEAD_EVERY_SECONDS * 1000,
    log: app.log,
  });
  const witness = new AuditWitness(options.dataDir);
  registerAuditRoutes(app, gate, auditHeads.own, witness);
  // Every page and every JetStream heartbeat carries a fresh claim about the head, signed like the batches.
  const feed = { ...bindFeed(store), keys: async () => keys.published(), headClaim: headClaimer(store, keys) };
  registerFeedRoutes(app, gate, feed, observer, new ReplicaImages(options.dataDir));
  await registerConsole(app, gate, store, options.consolePeer ? { peerUrl: options.consolePeer } : {}); // the web console (src/console, web/)
  app.get('/healthz', { schema: { summary: 'Alive', tags: ['operations'] } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { summary: 'Ready: database open, schema current', tags: ['operations'] } }, async (_req, reply) => {
    try {
      await store.headSeq();
      return { ready: true };
    } catch (err) {
      return reply.status(503).send({ ready: false, reason: `database: ${(err as Error).message}` });
    }
  });
  // Fan-out over NATS JetStream: publishes beside the HTTP feed, never in the way of a commit.
  const publisher = options.bus ? startBusPublisher(options.bus, feed, metrics) : null;
  return {
    app,
    store,
    service,
    keys,
    async close() {
      await app.close();
      await publisher?.stop();
      await auditHeads.close();
      witness.close();
      await store.close();
    },
  };
}

function bindFeed(store: RegisterStore) {
  return {
    headSeq: () => store.headSeq(),
    batchesAfter: (after: number, max: number, options?: { reliefOnly?: boolean }) => store.batchesAfter(after, max, options),
    oldestSeq: () => store.oldestSeq(),
    snapshot: (options?: { buckets?: number[] }) => store.snapshot(options),
    onCommit: (listener: (head: number) => void) => store.onCommit(listener),
  };
}

/**
 * A register process, composed: its store (chosen by URL), the issuing API, the signed feed it serves
 * to replicas (and publishes to JetStream), its audit heads and the witness for the replicas' heads,
 * metrics, console and probes. The parts are named units; this only wires them.
 */
import type { FastifyInstance } from 'fastify';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS, startAuditHeads } from '../auditHeads.js';
import { registerAuditRoutes } from '../../audit/auditRoutes.js';
import { AuditWitness } from '../../audit/witness.js';
import { registerConsole } from '../../console/register.js';
import { registerFeedRoutes } from '../../transport/http/feedRoutes.js';
import { RegisterKeys } from '../../auth/keyRing.js';
import { ContestService } from '../../register/contestService.js';
import { registerContestRoutes } from '../../register/contestRoutes.js';
import { loadDueProcessRules } from '../../register/dueProcessRulesFile.js';
import { loadGrantTable } from '../../register/grantTableFile.js';
import { ReviewService } from '../../register/reviewService.js';
import { registerReviewRoutes } from '../../register/reviewRoutes.js';
import { registerRegisterRoutes } from '../../register/routes.js';
import { registerOutcomeRoutes } from '../../register/outcomeRoutes.js';
import { OutcomeService } from '../../register/outcomeService.js';
import { ReplicaKeys } from '../../register/replicaKeys.js';
import { RegisterService } from '../../register/registerService.js';
import type { RegisterStore } from '../../register/registerStore.js';
import type { TlsFiles } from '../../shared/http.js';
import { createMetrics } from '../../shared/metrics.js';
import { startBusPublisher } from '../../transport/nats/publisher.js';
import { registerProbes } from '../probes.js';
import { serviceServer } from '../serviceServer.js';
import { openRegisterStore } from './openRegisterStore.js';
import { registerFeed } from './registerFeed.js';
import { dueProcessMetrics } from './dueProcessMetrics.js';
import { DEFAULT_EXPIRY_EVERY_SECONDS, type ExpiryScheduler, startExpiryScheduler } from './expiryScheduler.js';
import { registerMetrics } from './registerMetrics.js';
import { registerReadiness } from './registerReadiness.js';
import { SqliteReplicaImages } from './sqliteReplicaImages.js';
import { type NoticeOptions, startRegisterNotices } from './registerNotices.js';
import { registerTransparencyRoutes } from '../../register/transparencyRoutes.js';

export { openRegisterStore } from './openRegisterStore.js';

export interface RegisterProcess {
  app: FastifyInstance;
  store: RegisterStore;
  service: RegisterService;
  keys: RegisterKeys;
  /** Contests, reviews and the expiry run (docs/due-process.md). */
  dueProcess: { contests: ContestService; reviews: ReviewService; expiry: ExpiryScheduler };
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
  /** Lift restrictions not reviewed by their deadline this often (ms; default 60 s). */
  expiryEveryMs?: number;
  /** Telling the person: the SMTP relay, the From address, retry timings (app/register/registerNotices.ts). */
  notices?: NoticeOptions;
}

export async function createRegister(options: RegisterOptions): Promise<RegisterProcess> {
  const grants = loadGrantTable(options.dataDir).table; // before anything opens: a bad file stops the start
  const dueProcess = loadDueProcessRules(options.dataDir).rules; // likewise
  const keys = new RegisterKeys(options.dataDir);
  const storeUrl = options.store ?? process.env.ERX_STORE;
  const store = openRegisterStore(options.dataDir, keys, storeUrl);
  const service = new RegisterService(store, undefined, grants);
  const metrics = createMetrics('register');
  const { app, gate } = await serviceServer('register', 'The issuing side of erx: persons, restrictions and the signed exchange feed.', options, metrics);
  const observer = await registerMetrics(metrics, store);
  registerRegisterRoutes(app, gate, service);
  registerOutcomeRoutes(app, gate, store, new OutcomeService(store, new ReplicaKeys(options.dataDir))); // the reverse channel (issue #18)
  // Due process: contests, reviews, and the expiry of restrictions not reviewed in time (docs/due-process.md).
  const contests = new ContestService(service, { rules: dueProcess });
  const reviews = new ReviewService(service, { rules: dueProcess });
  await registerContestRoutes(app, gate, contests);
  registerReviewRoutes(app, gate, reviews);
  const expiry = startExpiryScheduler(reviews, options.expiryEveryMs ?? DEFAULT_EXPIRY_EVERY_SECONDS * 1000, app.log, dueProcessMetrics(metrics, store, reviews));
  // Signed audit heads (audit/auditHeads.ts), and the witness for the replicas' heads.
  const everyMs = options.auditHeadEveryMs ?? DEFAULT_AUDIT_HEAD_EVERY_SECONDS * 1000;
  const auditHeads = startAuditHeads({ dataDir: options.dataDir, store: storeUrl, service: 'register', name: 'register', everyMs, log: app.log });
  const witness = new AuditWitness(options.dataDir);
  registerAuditRoutes(app, gate, auditHeads.own, witness);
  const feed = registerFeed(store, keys);
  const notices = startRegisterNotices(options.dataDir, store, metrics, app.log, options.notices ?? {});
  registerTransparencyRoutes(app, gate, { store, relief: notices.relief, channels: notices.channels });
  registerFeedRoutes(app, gate, feed, notices.observing(observer), new SqliteReplicaImages(options.dataDir));
  await registerConsole(app, gate, store, options.consolePeer ? { peerUrl: options.consolePeer } : {}); // the web console (src/console, web/)
  registerProbes(app, 'Ready: database open, schema current', () => registerReadiness(store));
  // Fan-out over NATS JetStream: publishes beside the HTTP feed, never in the way of a commit.
  const publisher = options.bus ? startBusPublisher(options.bus, feed, metrics) : null;
  return {
    app,
    store,
    service,
    keys,
    dueProcess: { contests, reviews, expiry },
    async close() {
      await expiry.stop();
      await app.close();
      await notices.close();
      await publisher?.stop();
      await auditHeads.close();
      witness.close();
      await store.close();
    },
  };
}

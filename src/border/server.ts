/** A border replica process: follows a feed into its store and answers screenings and status. */
import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { type AuditedScreening, screeningAnswer, screeningsAnswer, screeningsQuery } from '../api/screening.js';
import { borderStatusAnswer } from '../api/status.js';
import { DEFAULT_AUDIT_HEAD_EVERY_SECONDS, replicaAuditName, startAuditHeads } from '../audit/auditHeads.js';
import { registerAuditRoutes } from '../audit/auditRoutes.js';
import { AuditWitness } from '../audit/witness.js';
import { ServiceTokens } from '../auth/serviceTokens.js';
import { requesterOf } from '../audit/requester.js';
import { registerFeedRoutes } from '../exchange/feedRoutes.js';
import { RelayImages } from '../exchange/relay/relayImages.js';
import { Follower } from '../exchange/follower.js';
import { FeedRelay } from '../exchange/relay/relay.js';
import { NO_TRUST_MESSAGE, ReplicaTrust } from '../exchange/trust.js';
import { defaultMatcher, type Matcher } from '../matching/index.js';
import { borderConsole } from '../console/border.js';
import { createServer, type TlsFiles } from '../shared/http.js';
import { createLogger } from '../shared/log.js';
import { createMetrics, instrumentHttp } from '../shared/metrics.js';
import { type AuthGate, route } from '../shared/route.js';
import { isPostgresUrl, postgresReplicaStore } from '../store/postgres/index.js';
import { SqliteReplicaStore } from '../store/sqlite/replicaStore.js';
import { HttpFeedClient } from '../transport/http/httpFeedClient.js';
import { parseBusUrl } from '../transport/nats/busConfig.js';
import { JetStreamFeedClient } from '../transport/nats/jetStreamFeedClient.js';
import { startBusPublisher } from '../transport/nats/publisher.js';
import { verifyReplica, type VerifyReport } from './antiEntropy.js';
import { ReplicaHealth } from './replicaHealth.js';
import { ErxError } from '../shared/errors.js';
import { registerSelfCheck } from './selfCheck.js';
import { DEFAULT_MAX_STALENESS_SECONDS, type Freshness, screeningRequestSchema, ScreeningService } from './screening.js';
import type { ReplicaStore } from './store.js';
import { freshnessOf, liveWindowMs } from './freshness.js';

export interface BorderOptions {
  dataDir: string;
  /** A postgres:// URL to keep the replica in PostgreSQL (a border central database); default SQLite (or ERX_STORE). */
  store?: string;
  registerUrl: string;
  token?: string;
  /** A nats:// URL: take changes from the register's JetStream stream (snapshots and keys still from registerUrl). */
  bus?: string;
  /** Serve the register's feed onward (tiers): checkpoints may follow this replica with --register. */
  serveFeed?: boolean;
  /**
   * Bootstrap from the feed's replica image when it offers one that fits (default true). A replica
   * serving the feed onward (serveFeed) always takes the snapshot: it keeps it for its checkpoints
   * (and a copy of the register's image, for them: exchange/relay/relayImages.ts).
   */
  images?: boolean;
  /**
   * With serveFeed: also publish the register's signed batches, as this replica holds them, to this
   * NATS JetStream stream of its own, for its checkpoints to follow with --bus (a centre's own fan-out).
   */
  publishBus?: string;
  /** A trust file (`erx register keys export`). Without one (and no keys pinned in dataDir) the replica refuses to start… */
  trustFile?: string;
  /** …unless this is true: then the keys the feed publishes at first contact are pinned (trust on first use). Default false. */
  trustOnFirstUse?: boolean;
  matcher?: Matcher;
  longPollMs?: number;
  batchSize?: number;
  /** Above this lag (seconds) a clear becomes a refer ("replica data too old"). */
  maxStalenessSeconds?: number;
  /** The checkpoint's IANA time zone (category-wide rules judge ages on its calendar date). */
  timeZone?: string;
  /**
   * Compare digests with the register (anti-entropy) at most this often (ms), and at start in any case;
   * spaced out further by what a comparison costs (replicaHealth.ts H4). Absent: only at start.
   */
  verifyEveryMs?: number;
  /** Check the database file's structure (SQLite quick_check) this often (ms), and at start (default hourly). */
  checkEveryMs?: number;
  /** Require bearer tokens (default). Off only for local experiments. */
  auth?: boolean;
  /** Sign the audit chain's head this often when it moved, and at shutdown (ms; default 60 s); the heads go to the register followed. */
  auditHeadEveryMs?: number;
  /** Serve HTTPS with this certificate and key. */
  tls?: TlsFiles;
  /** PEM CA certificate(s): the feed's HTTPS certificate must be signed by it (pinned; nothing else trusted). */
  ca?: string | Buffer;
  onBootstrapProgress?: (done: number, total: number) => void;
}

/** The structural check of the database (SQLite quick_check: 0.65 s at a million persons, in a worker thread). */
export const DEFAULT_CHECK_EVERY_MS = 60 * 60_000;

export interface BorderReplica {
  app: FastifyInstance;
  store: ReplicaStore;
  follower: Follower;
  gate: AuthGate;
  freshness(): Promise<Freshness>;
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export async function createBorderReplica(options: BorderOptions): Promise<BorderReplica> {
  // Refused before anything is opened.
  if (options.publishBus && !options.serveFeed) throw new Error('publishing to a bus (--publish-bus) needs --serve-feed: the stream carries the feed this replica serves onward');
  if (options.publishBus && options.bus && parseBusUrl(options.publishBus).stream === parseBusUrl(options.bus).stream) {
    throw new Error(`--publish-bus names the stream this replica follows (--bus, stream ${parseBusUrl(options.bus).stream}): give the onward stream a name of its own (?stream=NAME)`);
  }
  if (options.ca !== undefined && !/^https:\/\//i.test(options.registerUrl)) throw new Error(`--ca pins the CA of an HTTPS feed: --register must be an https:// URL, not ${options.registerUrl}`);
  // The data directory holds the trusted keys even when the state lives in PostgreSQL (which does not create it).
  mkdirSync(options.dataDir, { recursive: true });
  const trust = new ReplicaTrust(options.dataDir, options.trustFile, { firstUse: options.trustOnFirstUse ?? false });
  if (!trust.canStart) throw new Error(NO_TRUST_MESSAGE);
  const log = createLogger('border');
  if (trust.origin === 'none') log.warn('--trust-on-first-use: the keys the feed publishes at first contact will be pinned; whoever answers first is trusted as the register (give --trust FILE in production)');
  const matcher = options.matcher ?? defaultMatcher;
  const storeUrl = options.store ?? process.env.ERX_STORE;
  const opened: ReplicaStore = isPostgresUrl(storeUrl) ? postgresReplicaStore(storeUrl, { matcher }) : new SqliteReplicaStore({ dataDir: options.dataDir, matcher });
  // Damage on disk is noticed, reported and mended by the replica itself (replicaHealth.ts); everyone uses the watched store.
  const health = new ReplicaHealth({ store: opened, log, checkEveryMs: options.checkEveryMs ?? DEFAULT_CHECK_EVERY_MS, ...(options.verifyEveryMs ? { verifyEveryMs: options.verifyEveryMs } : {}) });
  const store = health.watch(opened);
  // Fail at start-up on a bad database, not on the first screening; a damaged one is set aside and rebuilt.
  await store.state().catch((err: unknown) => {
    if (!health.damage) throw err;
  });
  const http = new HttpFeedClient(options.registerUrl, options.token, options.ca !== undefined ? { ca: options.ca } : {});
  const bus = options.bus ? new JetStreamFeedClient({ bus: parseBusUrl(options.bus), http, log }) : null;
  // Tiers: a replica serving onward keeps the register's snapshot and batches as they arrive (exchange/relay).
  const relay = options.serveFeed ? new FeedRelay({ dataDir: options.dataDir, upstream: http, trust, log }) : null;
  const client = relay ? relay.teeing(bus ?? http) : (bus ?? http);
  const maxStaleness = options.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS;
  // Signed claims arrive once per long-poll at the latest; to stay within the staleness bound while
  // healthy, a replica asks at least twice per bound.
  const longPollMs = Math.max(100, Math.min(options.longPollMs ?? 10_000, (maxStaleness * 1000) / 2));
  const live = liveWindowMs(longPollMs, maxStaleness);
  const follower = new Follower({
    store,
    client,
    trust,
    log,
    longPollMs,
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.onBootstrapProgress ? { onBootstrapProgress: options.onBootstrapProgress } : {}),
    ...(options.images !== undefined ? { images: options.images } : {}),
  });
  relay?.attach(follower, store, freshness);

  /**
   * How current the replica's data is: only from the register's signed claims the replica has applied
   * (border/freshness.ts). An open request to the feed proves nothing — a hung register or a proxy
   * that withholds pages keeps one open for ever.
   */
  async function freshness(): Promise<Freshness> {
    const s = await store.state();
    return freshnessOf({ now: Date.now(), cursor: s.cursor, registerSeq: s.registerSeq, dataAsOf: s.dataAsOf, latestClaim: follower.latestClaim, liveWindowMs: live });
  }

  const metrics = createMetrics('border');
  const screenings = metrics.counter('erx_replica_screenings_total', 'Screenings answered, by decision', ['decision']);
  const screeningSeconds = metrics.histogram('erx_replica_screening_duration_seconds', 'Time to screen a traveller (match, decide, audit)', [0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.1, 1]);
  const applied = metrics.counter('erx_replica_batches_applied_total', 'Signed batches applied');
  const appliedChanges = metrics.counter('erx_replica_changes_applied_total', 'Changes applied');
  const rejected = metrics.counter('erx_replica_batches_rejected_total', 'Pages refused from the feed, by reason', ['reason']);
  const repaired = metrics.counter('erx_replica_digest_repairs_total', 'Records fixed by anti-entropy, by kind', ['kind']);
  follower.on('progress', (batches: number, changes: number) => {
    applied.inc(batches);
    appliedChanges.inc(changes);
  });
  follower.on('rejected', (reason: string) => rejected.inc({ reason }));
  const claimsRefused = metrics.counter('erx_replica_head_claims_refused_total', "The register's head claims refused (they give no freshness), by reason", ['reason']);
  follower.on('claimRefused', (reason: string) => claimsRefused.inc({ reason }));
  // A centre's own stream: the register's batches as this replica archived them, for its checkpoints.
  const onwardBus = relay && options.publishBus ? startBusPublisher(options.publishBus, relay, metrics, createLogger('bus'), 'erx_replica_onward') : null;
  metrics.gauge('erx_replica_seq', 'Sequence number of the last change applied', [], async function () {
    this.set((await store.state()).cursor ?? 0);
  });
  metrics.gauge('erx_replica_register_seq', "The register's newest sequence number as last heard", [], async function () {
    this.set((await store.state()).registerSeq);
  });
  metrics.gauge('erx_replica_lag_changes', 'Changes the replica has not applied yet', [], async function () {
    const s = await store.state();
    this.set(Math.max(0, s.registerSeq - (s.cursor ?? 0)));
  });
  metrics.gauge('erx_replica_lag_seconds', "Age of the replica data by the register's signed head claims (0 while it holds all that a claim made and received within the caught-up window covers)", [], async function () {
    this.set((await freshness()).lagSeconds ?? Number.NaN);
  });
  metrics.gauge('erx_replica_last_sync_timestamp_seconds', 'When the feed last answered (Unix time)', [], function () {
    this.set(follower.lastContactAt ? follower.lastContactAt.getTime() / 1000 : 0);
  });
  metrics.gauge('erx_replica_persons', 'Persons held by the replica', [], async function () {
    this.set((await store.state()).persons);
  });

  const screening = new ScreeningService({ store, matcher, freshness, damage: () => health.damageNow(), maxStalenessSeconds: maxStaleness, ...(options.timeZone ? { timeZone: options.timeZone } : {}) });
  const app = await createServer({ name: 'border', description: 'A border replica: screening of travellers against the replicated register.', ...(options.tls ? { tls: options.tls } : {}) });
  instrumentHttp(app, metrics);
  const gate: AuthGate = options.auth === false ? { secret: null } : new ServiceTokens(options.dataDir);
  const tags = ['border'];

  route(app, gate, { method: 'POST', url: '/v1/screenings', summary: 'Screen a traveller (MRZ or typed fields)', tags, access: ['checkpoint', 'border', 'operator'], body: screeningRequestSchema, response: screeningAnswer }, async ({ body, principal, req }) => {
    const checkpoint = principal?.sub ?? (typeof req.headers['x-checkpoint-id'] === 'string' ? req.headers['x-checkpoint-id'].slice(0, 64) : 'unnamed');
    const end = screeningSeconds.startTimer();
    const answer = await screening.screen(body, requesterOf(checkpoint, req.ip));
    end();
    screenings.inc({ decision: answer.decision });
    req.log.info({ screeningId: answer.screeningId, decision: answer.decision, traveller: answer.traveller }, 'screened');
    return answer;
  });

  route(app, gate, { method: 'GET', url: '/v1/border/status', summary: "The replica's sequence, the register's, lag, sync state and integrity", tags, access: 'public', response: borderStatusAnswer }, async () => {
    const s = await store.state();
    return {
      ...(await freshness()),
      sync: follower.state,
      source: client.source,
      transport: bus ? { kind: 'jetstream', stream: bus.stream, lastPage: bus.lane, httpFallbacks: bus.fallbacks } : { kind: 'http' },
      ...(relay ? { onwardFeed: onwardBus ? { ...relay.status(), stream: onwardBus.status() } : relay.status() } : {}),
      lastContactAt: follower.lastContactAt?.toISOString() ?? null,
      lastError: follower.lastError,
      snapshotSeq: s.snapshotSeq,
      changesApplied: s.changesApplied,
      persons: s.persons,
      restrictions: s.restrictions,
      maxStalenessSeconds: maxStaleness,
      counters: follower.counters,
      integrity: { rejected: follower.rejected, lastRejection: follower.lastRejection, lastHash: s.lastHash, trust: trust.origin, lastVerify, database: health.status() },
      headClaim: follower.latestClaim ? { ...follower.latestClaim, receivedAt: new Date(follower.latestClaim.receivedAt).toISOString(), ...follower.claims } : follower.claims,
    };
  });

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/screenings', summary: 'Recent audited screenings (a checkpoint sees its own)', tags, access: ['auditor', 'operator', 'checkpoint'], query: screeningsQuery, response: screeningsAnswer },
    async ({ query, principal }) => {
      const screenings = await store.screenings(query.limit, principal?.role === 'checkpoint' ? principal.sub : undefined);
      // The audit records each request as the traveller read from it (screening.ts), which is what the API declares.
      return { screenings: screenings as AuditedScreening[] };
    },
  );

  await registerSelfCheck(app, gate, store, undefined, options.timeZone);
  // Signed audit heads, sent to the service followed (its witness); a centre is the witness of its checkpoints.
  const auditHeads = startAuditHeads({
    dataDir: options.dataDir,
    store: storeUrl,
    service: 'border',
    name: replicaAuditName(options.token),
    everyMs: options.auditHeadEveryMs ?? DEFAULT_AUDIT_HEAD_EVERY_SECONDS * 1000,
    witness: { url: options.registerUrl, token: options.token },
    log,
  });
  const witness = relay ? new AuditWitness(options.dataDir) : null;
  registerAuditRoutes(app, gate, auditHeads.own, witness);
  // The register's replica images, copied once and served unchanged, like its batches: checkpoints verify them.
  if (relay) registerFeedRoutes(app, gate, relay, undefined, new RelayImages({ dataDir: options.dataDir, upstream: http, trust, log }));
  await borderConsole(app, gate, store, { registerUrl: options.registerUrl }); // the web console (src/console, web/)

  let lastVerify: VerifyReport | null = null;
  let verifying: Promise<VerifyReport> | null = null;
  /** One verification at a time; a second caller shares the running one. */
  const verify = () => {
    verifying ??= verifyReplica({ follower, store, client, trust })
      .catch((err: unknown) => Promise.reject(health.noticed(err))) // a digest read off the main thread may meet damage too
      .then((report) => {
        lastVerify = report;
        if (report.repaired) {
          repaired.inc({ kind: 'inserted' }, report.repaired.inserted);
          repaired.inc({ kind: 'updated' }, report.repaired.updated);
          repaired.inc({ kind: 'deleted' }, report.repaired.deleted);
        }
        if (report.differing.length > 0) log.warn({ differing: report.differing.length, repaired: report.repaired }, 'anti-entropy repaired the replica');
        else log.info({ asOfSeq: report.asOfSeq }, 'anti-entropy: replica matches the register');
        return report;
      })
      .finally(() => (verifying = null));
    return verifying;
  };
  route(app, gate, { method: 'POST', url: '/v1/border/verify', summary: 'Compare bucket digests with the register and repair what differs', tags, access: ['operator', 'border'] }, async () => {
    const damaged = health.damageNow();
    if (damaged) throw new ErxError(503, damaged);
    return verify();
  });
  // The database check and the digest comparison, at start and on their intervals (replicaHealth.ts).
  health.start(follower, verify);
  metrics.gauge('erx_replica_database_damaged', 'Whether the replica found its database damaged and is rebuilding it (1) or not (0)', [], function () {
    this.set(health.damage ? 1 : 0);
  });

  app.get('/healthz', { schema: { summary: 'Alive', tags: ['operations'] } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { summary: 'Ready: bootstrapped and within the staleness bound', tags: ['operations'] } }, async (_req, reply) => {
    const damaged = health.damageNow();
    if (damaged) return reply.status(503).send({ ready: false, reason: damaged });
    const f = await freshness();
    if (f.dataAsOf === null) return reply.status(503).send({ ready: false, reason: 'bootstrapping: no complete snapshot yet' });
    const unchecked = health.notReadyBecause();
    if (unchecked) return reply.status(503).send({ ready: false, reason: unchecked });
    if (f.lagSeconds !== null && f.lagSeconds > maxStaleness) {
      return reply.status(503).send({ ready: false, reason: `replica data too old: ${f.lagSeconds} s behind (bound ${maxStaleness} s)` });
    }
    return { ready: true, ...f };
  });

  return {
    app,
    store,
    follower,
    gate,
    freshness,
    verify,
    async close() {
      health.close();
      await app.close();
      await follower.stop();
      await onwardBus?.stop();
      await relay?.close();
      await bus?.close();
      await auditHeads.close();
      witness?.close();
      await store.close();
    },
  };
}

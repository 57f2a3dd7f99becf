/** A border replica process: follows a feed into its store and answers screenings and status. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { Follower } from '../exchange/follower.js';
import { ReplicaTrust } from '../exchange/trust.js';
import { defaultMatcher, type Matcher } from '../matching/index.js';
import { createServer, parse } from '../shared/http.js';
import { createLogger } from '../shared/log.js';
import { SqliteReplicaStore } from '../store/sqlite/replicaStore.js';
import { HttpFeedClient } from '../transport/http/httpFeedClient.js';
import { verifyReplica, type VerifyReport } from './antiEntropy.js';
import { type Freshness, ScreeningService } from './screening.js';
import type { ReplicaStore } from './store.js';

export interface BorderOptions {
  dataDir: string;
  registerUrl: string;
  token?: string;
  /** A trust file (`erx register keys export`); without one, the register's keys are pinned on first use. */
  trustFile?: string;
  matcher?: Matcher;
  longPollMs?: number;
  batchSize?: number;
  /** Above this lag (seconds) a clear becomes a refer ("replica data too old"). */
  maxStalenessSeconds?: number;
  /** Run anti-entropy verification this often (ms); off when absent. */
  verifyEveryMs?: number;
  onBootstrapProgress?: (done: number, total: number) => void;
}

export interface BorderReplica {
  app: FastifyInstance;
  store: ReplicaStore;
  follower: Follower;
  freshness(): Promise<Freshness>;
  verify(): Promise<VerifyReport>;
  close(): Promise<void>;
}

export function createBorderReplica(options: BorderOptions): BorderReplica {
  const log = createLogger('border');
  const matcher = options.matcher ?? defaultMatcher;
  const store = new SqliteReplicaStore({ dataDir: options.dataDir, matcher });
  const client = new HttpFeedClient(options.registerUrl, options.token);
  const trust = new ReplicaTrust(options.dataDir, options.trustFile);
  const follower = new Follower({
    store,
    client,
    trust,
    log,
    ...(options.longPollMs !== undefined ? { longPollMs: options.longPollMs } : {}),
    ...(options.batchSize !== undefined ? { batchSize: options.batchSize } : {}),
    ...(options.onBootstrapProgress ? { onBootstrapProgress: options.onBootstrapProgress } : {}),
  });

  /**
   * How current the replica's data is. While the replica holds every change and has a request open at
   * the feed (which answers the moment anything new commits), its data is current; otherwise it is as
   * old as the last moment it knew itself to be caught up.
   */
  async function freshness(): Promise<Freshness> {
    const s = await store.state();
    const now = Date.now();
    const listening = follower.listeningSince !== null && s.cursor !== null && s.cursor >= s.registerSeq;
    const dataAsOf = listening ? new Date(now).toISOString() : s.dataAsOf;
    return {
      replicaSeq: s.cursor ?? 0,
      registerSeq: s.registerSeq,
      dataAsOf,
      lagSeconds: dataAsOf === null ? null : Math.max(0, Math.round((now - Date.parse(dataAsOf)) / 100) / 10),
    };
  }

  const screening = new ScreeningService({
    store,
    matcher,
    freshness,
    ...(options.maxStalenessSeconds !== undefined ? { maxStalenessSeconds: options.maxStalenessSeconds } : {}),
  });
  const app = createServer({ name: 'border' });

  app.post('/v1/screenings', async (req) => {
    const checkpoint = typeof req.headers['x-checkpoint-id'] === 'string' ? req.headers['x-checkpoint-id'].slice(0, 64) : 'unnamed';
    return screening.screen(req.body, `${checkpoint}@${req.ip}`);
  });

  app.get('/v1/border/status', async () => {
    const s = await store.state();
    return {
      ...(await freshness()),
      sync: follower.state,
      source: options.registerUrl,
      lastContactAt: follower.lastContactAt?.toISOString() ?? null,
      lastError: follower.lastError,
      snapshotSeq: s.snapshotSeq,
      changesApplied: s.changesApplied,
      persons: s.persons,
      restrictions: s.restrictions,
      counters: follower.counters,
      integrity: { rejected: follower.rejected, lastRejection: follower.lastRejection, lastHash: s.lastHash, trust: trust.origin, lastVerify },
    };
  });

  app.get('/v1/screenings', async (req) => {
    const { limit } = parse(z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), req.query);
    return { screenings: await store.screenings(limit) };
  });

  let lastVerify: VerifyReport | null = null;
  let verifying: Promise<VerifyReport> | null = null;
  /** One verification at a time; a second caller shares the running one. */
  const verify = () => {
    verifying ??= verifyReplica({ follower, store, client, trust })
      .then((report) => {
        lastVerify = report;
        if (report.differing.length > 0) log.warn({ differing: report.differing.length, repaired: report.repaired }, 'anti-entropy repaired the replica');
        else log.info({ asOfSeq: report.asOfSeq }, 'anti-entropy: replica matches the register');
        return report;
      })
      .finally(() => (verifying = null));
    return verifying;
  };
  app.post('/v1/border/verify', async () => verify());
  const verifyTimer = options.verifyEveryMs
    ? setInterval(() => void verify().catch((err) => log.warn({ err: (err as Error).message }, 'periodic verification failed')), options.verifyEveryMs)
    : null;
  verifyTimer?.unref();

  app.get('/healthz', async () => ({ ok: true }));

  return {
    app,
    store,
    follower,
    freshness,
    verify,
    async close() {
      if (verifyTimer) clearInterval(verifyTimer);
      await app.close();
      await follower.stop();
      await store.close();
    },
  };
}

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
  onBootstrapProgress?: (done: number, total: number) => void;
}

export interface BorderReplica {
  app: FastifyInstance;
  store: ReplicaStore;
  follower: Follower;
  freshness(): Promise<Freshness>;
  close(): Promise<void>;
}

export function createBorderReplica(options: BorderOptions): BorderReplica {
  const log = createLogger('border');
  const matcher = options.matcher ?? defaultMatcher;
  const store = new SqliteReplicaStore({ dataDir: options.dataDir, matcher });
  const follower = new Follower({
    store,
    client: new HttpFeedClient(options.registerUrl, options.token),
    trust: new ReplicaTrust(options.dataDir, options.trustFile),
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
      integrity: { rejected: follower.rejected, lastRejection: follower.lastRejection, lastHash: s.lastHash },
    };
  });

  app.get('/v1/screenings', async (req) => {
    const { limit } = parse(z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) }), req.query);
    return { screenings: await store.screenings(limit) };
  });

  app.get('/healthz', async () => ({ ok: true }));

  return {
    app,
    store,
    follower,
    freshness,
    async close() {
      await app.close();
      await follower.stop();
      await store.close();
    },
  };
}

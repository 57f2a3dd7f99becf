/**
 * A border replica's part of the web console: the built pages (officer, self-check, operations),
 * which side this is, and screenings per minute by decision (GET /v1/console/screening-stats).
 * Mounted by app/border/createBorderReplica.ts with one call.
 */
import type { FastifyInstance } from 'fastify';
import { screeningStatsAnswer, screeningStatsQuery } from '../api/screeningStats.js';
import type { ReplicaStore } from '../border/replicaStore.js';
import { type AuthGate, route } from '../auth/route.js';
import { allowCrossOriginReads, serveConsoleAssets } from './assets.js';
import { consoleConfigRoute } from './config.js';
import { ScreeningStats } from './stats.js';

export interface BorderConsoleOptions {
  /** The register this replica follows: the console links to its pages. */
  registerUrl?: string;
}

/** How many audited screenings are read at start-up to seed the per-minute chart. */
const SEED_SCREENINGS = 5000;

export async function borderConsole(app: FastifyInstance, gate: AuthGate, store: ReplicaStore, options: BorderConsoleOptions = {}): Promise<ScreeningStats> {
  const peerUrl = options.registerUrl?.replace(/\/+$/, '') ?? null;
  await serveConsoleAssets(app, peerUrl);
  allowCrossOriginReads(app, ['/v1/border/status', '/v1/console/config']);
  consoleConfigRoute(app, gate, 'border', peerUrl);

  const stats = new ScreeningStats();
  const cutoff = Date.now() - stats.keepMinutes * 60_000;
  for (const s of await store.screenings(SEED_SCREENINGS).catch(() => [])) {
    const at = Date.parse(s.at);
    if (at >= cutoff) stats.add(s.decision, new Date(at), false);
  }
  // Counted as each answer leaves: the decision is the first field of every screening answer.
  app.addHook('onSend', async (req, reply, payload) => {
    if (req.method === 'POST' && reply.statusCode === 200 && req.routeOptions.url === '/v1/screenings' && typeof payload === 'string') {
      const m = /"decision":"(clear|refer|hit)"/.exec(payload.slice(0, 64));
      if (m) stats.add(m[1]!);
    }
    return payload;
  });

  route(
    app,
    gate,
    {
      method: 'GET',
      url: '/v1/console/screening-stats',
      summary: 'Screenings per minute by decision (counts only), for the operations charts',
      tags: ['border', 'console'],
      access: ['auditor', 'operator'],
      query: screeningStatsQuery(stats.keepMinutes),
      response: screeningStatsAnswer,
    },
    async ({ query }) => ({ minutes: stats.series(query.minutes), totalsSinceStart: stats.totals, since: stats.since, time: new Date().toISOString() }),
  );
  return stats;
}

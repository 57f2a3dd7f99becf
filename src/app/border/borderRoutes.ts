/**
 * The border replica's own HTTP API: screening a traveller, the replica's status, the recent audited
 * screenings, and an on-demand digest comparison. Each route is thin: the work is in the screening
 * service, the store, the follower and the verifier it is given.
 */
import type { FastifyInstance } from 'fastify';
import { type AuditedScreening, screeningAnswer, screeningsAnswer, screeningsQuery } from '../../api/screening.js';
import { borderStatusAnswer } from '../../api/status.js';
import { requesterOf } from '../../audit/requester.js';
import type { ReplicaHealth } from '../../border/replicaHealth.js';
import type { Freshness } from '../../border/freshness.js';
import { screeningRequestSchema, type ScreeningService } from '../../border/screening.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { Follower } from '../../border/sync/follower.js';
import type { ReplicaTrust } from '../../border/sync/trust.js';
import { ErxError } from '../../shared/errors.js';
import { type AuthGate, route } from '../../auth/route.js';
import type { FeedPath } from './feedPath.js';
import type { OnwardFeed } from './onwardFeed.js';
import type { ReplicaCounters } from './replicaMetrics.js';
import type { ReplicaVerifier } from './replicaVerifier.js';

export interface BorderRouteDeps {
  store: ReplicaStore;
  follower: Follower;
  screening: ScreeningService;
  freshness: () => Promise<Freshness>;
  feed: FeedPath;
  onward: OnwardFeed | null;
  trust: ReplicaTrust;
  health: ReplicaHealth;
  verifier: ReplicaVerifier;
  counters: ReplicaCounters;
  maxStalenessSeconds: number;
}

export function registerBorderRoutes(app: FastifyInstance, gate: AuthGate, deps: BorderRouteDeps): void {
  const { store, follower, screening, freshness, feed, onward, trust, health, verifier, counters } = deps;
  const tags = ['border'];

  route(app, gate, { method: 'POST', url: '/v1/screenings', summary: 'Screen a traveller (MRZ or typed fields)', tags, access: ['checkpoint', 'border', 'operator'], body: screeningRequestSchema, response: screeningAnswer }, async ({ body, principal, req }) => {
    const checkpoint = principal?.sub ?? (typeof req.headers['x-checkpoint-id'] === 'string' ? req.headers['x-checkpoint-id'].slice(0, 64) : 'unnamed');
    const answered = counters.screening();
    const answer = await screening.screen(body, requesterOf(checkpoint, req.ip));
    answered(answer.decision);
    req.log.info({ screeningId: answer.screeningId, decision: answer.decision, traveller: answer.traveller }, 'screened');
    return answer;
  });

  route(app, gate, { method: 'GET', url: '/v1/border/status', summary: "The replica's sequence, the register's, lag, sync state and integrity", tags, access: 'public', response: borderStatusAnswer }, async () => {
    const s = await store.state();
    return {
      ...(await freshness()),
      sync: follower.state,
      source: feed.client.source,
      transport: feed.transport(),
      ...(onward ? { onwardFeed: onward.status() } : {}),
      lastContactAt: follower.lastContactAt?.toISOString() ?? null,
      lastError: follower.lastError,
      snapshotSeq: s.snapshotSeq,
      changesApplied: s.changesApplied,
      persons: s.persons,
      restrictions: s.restrictions,
      maxStalenessSeconds: deps.maxStalenessSeconds,
      counters: follower.counters,
      integrity: { rejected: follower.rejected, lastRejection: follower.lastRejection, lastHash: s.lastHash, trust: trust.origin, lastVerify: verifier.last, database: health.status() },
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

  route(app, gate, { method: 'POST', url: '/v1/border/verify', summary: 'Compare bucket digests with the register and repair what differs', tags, access: ['operator', 'border'] }, async () => {
    const damaged = health.damageNow();
    if (damaged) throw new ErxError(503, damaged);
    return verifier.verify();
  });
}

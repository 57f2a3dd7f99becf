/**
 * The border replica's own HTTP API: screening a traveller, the replica's status, the recent audited
 * screenings, and an on-demand digest comparison. Each route is thin: the work is in the screening
 * service, the store, the follower and the verifier it is given.
 */
import type { FastifyInstance } from 'fastify';
import { type AuditedScreening, screeningAnswer, screeningsAnswer, screeningsQuery } from '../../api/screening.js';
import { borderStatusAnswer, type BorderStatusAnswer } from '../../api/status.js';
import { requesterOf } from '../../audit/requester.js';
import type { Freshness } from '../../border/freshness.js';
import { screeningRequestSchema, type ScreeningService } from '../../border/screening.js';
import type { ReplicaStore } from '../../border/replicaStore.js';
import type { VerifyReport } from '../../border/antiEntropy.js';
import type { SyncView } from '../../border/syncView.js';
import { NO_SYNC_VIEW_STATUS } from './syncStatus.js';
import { type AuthGate, route } from '../../auth/route.js';
import type { ReplicaCounters } from './replicaMetrics.js';

export interface BorderRouteDeps {
  store: ReplicaStore;
  screening: ScreeningService;
  freshness: () => Promise<Freshness>;
  /** The writer's part of the status: live in the writer, the published copy in other workers (syncStatus.ts). */
  syncView: () => Promise<SyncView | null>;
  /** A digest comparison with repair; null in a worker that is not the writer (the writer answers it: writerLink.ts). */
  verify: (() => Promise<VerifyReport>) | null;
  counters: ReplicaCounters;
  maxStalenessSeconds: number;
}

export function registerBorderRoutes(app: FastifyInstance, gate: AuthGate, deps: BorderRouteDeps): void {
  const { store, screening, freshness, counters } = deps;
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
    const [s, view, current] = await Promise.all([store.state(), deps.syncView(), freshness()]);
    const sync = view?.status ?? NO_SYNC_VIEW_STATUS;
    return {
      ...current,
      ...sync,
      snapshotSeq: s.snapshotSeq,
      changesApplied: s.changesApplied,
      persons: s.persons,
      restrictions: s.restrictions,
      maxStalenessSeconds: deps.maxStalenessSeconds,
      integrity: { ...(sync.integrity as BorderStatusAnswer['integrity']), lastHash: s.lastHash },
    } as BorderStatusAnswer;
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

  const verify = deps.verify;
  if (verify) route(app, gate, { method: 'POST', url: '/v1/border/verify', summary: 'Compare bucket digests with the register and repair what differs', tags, access: ['operator', 'border'] }, () => verify());
}

/**
 * The register's routes of the reverse channel (register/outcomeService.ts): replicas report outcomes
 * of screenings; the issuing office reads what came of every hit on its restrictions; the operator
 * revokes a confirmed non-match.
 */
import type { FastifyInstance } from 'fastify';
import { idParam } from '../api/fields.js';
import { attestationRefParams, attestationRevokeAnswer, outcomesAck, outcomesReportSchema, personOutcomesAnswer, type PersonOutcome } from '../api/outcomes.js';
import type { Principal } from '../auth/roles.js';
import { type AuthGate, route } from '../auth/route.js';
import { NotFound } from '../shared/errors.js';
import type { OutcomeService } from './outcomeService.js';
import type { RegisterStore } from './registerStore.js';

/** 500 signed outcomes of about 1.5 KB each. */
export const OUTCOMES_BODY_LIMIT = 1024 * 1024;

const actorOf = (p: Principal | null) => (p ? `${p.role}:${p.sub}` : 'anonymous (auth off)');

export function registerOutcomeRoutes(app: FastifyInstance, gate: AuthGate, store: RegisterStore, outcomes: OutcomeService): void {
  const tags = ['outcomes'];

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/outcomes', summary: "A replica's signed outcomes of screenings (the reverse channel); answers how far they are held", tags, access: ['border', 'checkpoint'], body: outcomesReportSchema, response: outcomesAck, bodyLimit: OUTCOMES_BODY_LIMIT },
    async ({ body, principal }) => outcomes.receive(body, principal?.sub ?? 'anonymous'),
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/persons/:id/outcomes', summary: "Every hit on a person's restrictions and what came of it (an office sees its own restrictions')", tags, access: ['office', 'operator', 'auditor'], params: idParam, response: personOutcomesAnswer },
    async ({ params, principal }) => {
      if (!(await store.getPerson(params.id))) throw new NotFound(`person ${params.id} is not in the register`, 'id');
      const own = principal?.role === 'office' ? principal.office : undefined;
      const list: PersonOutcome[] = [];
      for (const { signed, receivedAt } of await store.outcomesOfPerson(params.id, 500)) {
        const o = signed.outcome;
        const restrictions = o.hits.filter((h) => h.personId === params.id && (own === undefined || h.office === own)).map(({ restrictionId, office }) => ({ restrictionId, office }));
        if (own !== undefined && restrictions.length === 0) continue;
        const item: PersonOutcome = { replica: o.replica, n: o.n, screeningId: o.screeningId, screenedAt: o.screenedAt, decision: o.decision, checkpoint: o.checkpoint, outcome: o.outcome, recordedAt: o.recordedAt, receivedAt, restrictions };
        if (o.note !== undefined) item.note = o.note;
        if (o.attestation) {
          const held = await store.getAttestation(o.attestation.ref);
          item.attestation = { ref: o.attestation.ref, ...(held?.revokedAt ? { revokedAt: held.revokedAt } : {}) };
        }
        list.push(item);
      }
      return { personId: params.id, outcomes: list };
    },
  );

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/attestations/:ref/revoke', summary: 'Revoke a confirmed non-match: the traveller is screened as before at every checkpoint', tags, access: ['operator'], params: attestationRefParams, response: attestationRevokeAnswer },
    async ({ params, principal }) => outcomes.revoke(params.ref, actorOf(principal)),
  );
}

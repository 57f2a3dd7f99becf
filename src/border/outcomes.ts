/**
 * What came of a `hit` or `refer`: the officer records the outcome of a screening answered here
 * (POST /v1/screenings/{screeningId}/outcome). One per screening, and only for a hit or a refer, by the
 * checkpoint that screened. The outcome is numbered, signed with this replica's audit key and stored
 * with its audit entry in one transaction (ReplicaStore.recordOutcome), then pushed upstream at once
 * (sync/outcomePusher.ts).
 *
 * not-the-listed-person makes a confirmed non-match (exchange/attestation.ts): a reference for the
 * traveller and a salted hash of the details read at the screening — the details themselves stay here.
 */
import type { OutcomeRequest } from '../api/outcomes.js';
import type { NewAuditEntry } from '../audit/chain.js';
import type { Principal } from '../auth/roles.js';
import { newReference, newSalt, presentedDetailsHash, presentedDetailsOf } from '../exchange/attestation.js';
import type { Signer } from '../exchange/keys.js';
import { type ScreeningOutcome, signOutcome, type SignedOutcome } from '../exchange/outcome.js';
import type { Traveller } from '../matching/index.js';
import { BadInput, Conflict, ErxError, NotFound } from '../shared/errors.js';
import { OutcomeExists, type ReplicaStore } from './replicaStore.js';

export const OUTCOME_ACTION = 'screening.outcome';

export interface OutcomeAnswer {
  screeningId: string;
  outcome: ScreeningOutcome['outcome'];
  note?: string;
  recordedAt: string;
  n: number;
  reference?: string;
  forTraveller?: string;
}

/** The checkpoint name of an audited requester `NAME@ADDRESS` (audit/requester.ts): everything before the last `@`. */
function checkpointOf(requester: string): string {
  const at = requester.lastIndexOf('@');
  return at < 0 ? requester : requester.slice(0, at);
}

export function answerOf(signed: SignedOutcome): OutcomeAnswer {
  const o = signed.outcome;
  const answer: OutcomeAnswer = { screeningId: o.screeningId, outcome: o.outcome, recordedAt: o.recordedAt, n: o.n };
  if (o.note !== undefined) answer.note = o.note;
  if (o.attestation) {
    answer.reference = o.attestation.ref;
    answer.forTraveller = `You were confirmed not to be the listed person you were mistaken for. Your reference is ${o.attestation.ref}: quote it if you are stopped again, and give it with your document number and date of birth in the self-check.`;
  }
  return answer;
}

export class OutcomeService {
  constructor(
    private readonly deps: {
      store: ReplicaStore;
      /** This replica's audit key (audit/auditKeys.ts). */
      signer: Signer;
      /** This replica's name at its upstream: the subject of the token it follows with. */
      replica: string;
      /** Called after an outcome is recorded: the pusher sends it at once. */
      onRecorded?: () => void;
      now?: () => Date;
    },
  ) {}

  async record(screeningId: string, request: OutcomeRequest, principal: Principal | null): Promise<OutcomeAnswer> {
    const { store } = this.deps;
    const screening = await store.screening(screeningId);
    if (!screening) throw new NotFound(`no screening ${screeningId} was answered at this checkpoint's replica: record the outcome where the traveller was screened`, 'screeningId');
    const by = checkpointOf(screening.requester);
    if (principal && principal.sub !== by) throw new ErxError(403, `screening ${screeningId} was made by checkpoint ${by}: only that checkpoint records its outcome`, 'screeningId');
    if (screening.decision !== 'hit' && screening.decision !== 'refer') {
      throw new Conflict(`screening ${screeningId} answered ${screening.decision}: only a hit or a refer has an outcome`, 'screeningId');
    }
    const reasons = (screening.reasons as { restrictionId?: string; personId?: string; status?: string }[]).filter((r) => r.restrictionId && r.personId && r.status === 'in-force');
    const offices = new Map((await store.restrictionsOf([...new Set(reasons.map((r) => r.personId!))])).map((r) => [r.restrictionId, r.office]));
    const hits = reasons.map((r) => ({ personId: r.personId!, restrictionId: r.restrictionId!, office: offices.get(r.restrictionId!) ?? 'unknown' }));
    const at = this.deps.now?.() ?? new Date();
    const base: Omit<ScreeningOutcome, 'n'> = {
      replica: this.deps.replica,
      screeningId,
      screenedAt: screening.at,
      decision: screening.decision,
      checkpoint: by,
      outcome: request.outcome,
      recordedAt: at.toISOString(),
      hits,
    };
    if (request.note !== undefined) base.note = request.note;
    if (request.outcome === 'not-the-listed-person') base.attestation = this.attestationOf(screening.request as Traveller, hits, at);
    try {
      const signed = await store.recordOutcome(screeningId, (n) => {
        const outcome: ScreeningOutcome = { ...base, n };
        const audit: NewAuditEntry = {
          actor: principal?.sub ?? by,
          action: OUTCOME_ACTION,
          subject: screeningId,
          detail: { n, outcome: outcome.outcome, ...(outcome.note !== undefined ? { note: outcome.note } : {}), ...(outcome.attestation ? { reference: outcome.attestation.ref, personIds: outcome.attestation.personIds } : {}) },
        };
        return { signed: signOutcome(this.deps.signer, outcome), audit };
      });
      this.deps.onRecorded?.();
      return answerOf(signed);
    } catch (err) {
      if (err instanceof OutcomeExists) throw new Conflict(err.message, 'screeningId');
      throw err;
    }
  }

  private attestationOf(traveller: Traveller, hits: ScreeningOutcome['hits'], at: Date): ScreeningOutcome['attestation'] {
    const personIds = [...new Set(hits.map((h) => h.personId))].sort();
    if (personIds.length === 0) throw new Conflict('this screening found no listed person in force to confirm a non-match against: record another outcome', 'outcome');
    const details = presentedDetailsOf(traveller);
    if (!details) {
      throw new BadInput('a confirmed non-match needs the document number, its country, the date of birth and the name as read: screen the document again (its MRZ) and record the outcome of that screening', 'outcome');
    }
    const salt = newSalt();
    return { ref: newReference(at), personIds, salt, detailsHash: presentedDetailsHash(salt, details) };
  }
}

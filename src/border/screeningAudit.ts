/**
 * What the audit keeps of an answered screening (S4): the whole traveller as submitted, the decision,
 * and of each reason only the keys that identify it (restriction or rule version, person, status,
 * score) — the words of a reason can be rebuilt from those, and the audit stays small. Pure, so the
 * shape of the audit record is fixed in one place for both store backends.
 */
import type { Traveller } from '../matching/index.js';
import type { Decision } from './decision.js';
import type { ScreeningReason } from './reasons.js';
import type { ScreeningAuditEntry } from './replicaStore.js';

/** The fields of a screening answer the audit is made from. */
export interface AnsweredScreening {
  screeningId: string;
  screenedAt: string;
  traveller: Traveller;
  decision: Decision;
  reasons: ScreeningReason[];
  replicaSeq: number;
}

/** The audit's key for one reason. */
export function auditedReason(r: ScreeningReason): Record<string, unknown> {
  if ('source' in r) {
    if (r.source === 'rule') return { ruleId: r.ruleId, ruleVersion: r.ruleVersion, status: r.status, ...(r.exemption ? { personId: r.exemption.personId } : {}) };
    return { restrictionId: r.restrictionId, personId: r.personId, status: r.status, score: r.score, ...(r.attestation ? { attestation: r.attestation.ref } : {}) };
  }
  if (r.kind === 'replica-database-damaged') return { damaged: true };
  return { stale: true, lagSeconds: r.lagSeconds };
}

/** Where a screened traveller stood in a carrier's manifest (border/manifests). */
export interface ManifestPosition {
  manifestId: string;
  /** 1-based, in the manifest's order. */
  position: number;
}

export function screeningAuditEntry(answer: AnsweredScreening, requester: string, manifest?: ManifestPosition): ScreeningAuditEntry {
  return {
    screeningId: answer.screeningId,
    at: answer.screenedAt,
    requester,
    request: answer.traveller,
    decision: answer.decision,
    reasons: answer.reasons.map(auditedReason),
    replicaSeq: answer.replicaSeq,
    ...(manifest ? { manifest: { manifestId: manifest.manifestId, position: manifest.position } } : {}),
  };
}

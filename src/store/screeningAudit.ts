/**
 * A screening as an audit entry and back: the same on every backend, so a replica's screening audit
 * reads alike from SQLite and PostgreSQL.
 */
import type { NewAuditEntry, AuditEntry } from '../audit/chain.js';
import type { ScreeningAuditEntry } from '../border/replicaStore.js';

export const SCREENING_ACTION = 'screening';

export function screeningAuditEntry(entry: ScreeningAuditEntry): NewAuditEntry {
  return {
    at: entry.at,
    actor: entry.requester,
    action: SCREENING_ACTION,
    subject: entry.screeningId,
    detail: { request: entry.request, decision: entry.decision, reasons: entry.reasons, replicaSeq: entry.replicaSeq, ...(entry.manifest ? { manifest: entry.manifest } : {}) },
  };
}

export function screeningOf(e: AuditEntry): ScreeningAuditEntry {
  const d = e.detail as { request: unknown; decision: string; reasons: unknown; replicaSeq: number; manifest?: { manifestId: string; position: number } };
  return { screeningId: e.subject, at: e.at, requester: e.actor, request: d.request, decision: d.decision, reasons: d.reasons, replicaSeq: d.replicaSeq, ...(d.manifest ? { manifest: d.manifest } : {}) };
}

/**
 * An audit entry as both backends store it: the same columns, `detail` as JSON text. Reading a row back
 * gives exactly the entry that was hashed (audit/chain.ts), so a chain verifies alike on either.
 */
import type { AuditEntry } from '../audit/chain.js';

export interface AuditRow {
  seq: number;
  at: string;
  actor: string;
  action: string;
  subject: string;
  detail: string;
  prev_hash: string;
  hash: string;
}

export const auditEntryOf = (r: AuditRow): AuditEntry => ({
  seq: r.seq,
  at: r.at,
  actor: r.actor,
  action: r.action,
  subject: r.subject,
  detail: JSON.parse(r.detail),
  prevHash: r.prev_hash,
  hash: r.hash,
});

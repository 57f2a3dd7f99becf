/**
 * What the SQLite and PostgreSQL registers share about outcomes and confirmed non-matches: the statement
 * that finds how far a replica's outcomes are held without a gap, and an attestation's row and how it
 * reads back (store/{sqlite,postgres}/register/outcomes.ts).
 */
import type { BorderAttestation } from '../exchange/protocol.js';
import type { RegisterAttestation } from '../register/registerStore.js';

/** The same statement on both backends: the first n whose successor is missing, or 0 without n = 1. */
export const ACKNOWLEDGED_SQL = (table: string, p: string) => `
  SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM ${table} WHERE replica = ${p} AND n = 1) THEN 0
    ELSE (SELECT min(o.n) FROM ${table} o WHERE o.replica = ${p} AND NOT EXISTS (SELECT 1 FROM ${table} q WHERE q.replica = o.replica AND q.n = o.n + 1)) END AS n`;

export interface AttestationRow {
  body: string;
  replica: string;
  screening_id: string;
  revoked_at: string | null;
  revoked_by: string | null;
}

export function attestationOf(row: AttestationRow | undefined): RegisterAttestation | undefined {
  if (!row) return undefined;
  const a: RegisterAttestation = { attestation: JSON.parse(row.body) as BorderAttestation, replica: row.replica, screeningId: row.screening_id };
  if (row.revoked_at) a.revokedAt = row.revoked_at;
  if (row.revoked_by) a.revokedBy = row.revoked_by;
  return a;
}

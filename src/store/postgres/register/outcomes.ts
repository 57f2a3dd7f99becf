/**
 * The register's outcomes of screenings and confirmed non-matches on PostgreSQL (as on SQLite,
 * store/sqlite/register/outcomes.ts): the tables (a migration step), and their reads and writes, on the
 * pool or on the client of an open write transaction.
 */
import type { ReceivedOutcome, RegisterAttestation } from '../../../register/registerStore.js';
import { ACKNOWLEDGED_SQL, type AttestationRow, attestationOf } from '../../outcomeRows.js';
import type { Queryable } from './registerDb.js';

export const outcomeSchema = (s: string) => `
  CREATE TABLE ${s}.outcomes (replica text COLLATE "C" NOT NULL, n bigint NOT NULL, screening_id text COLLATE "C" NOT NULL, body text NOT NULL,
    received_at text COLLATE "C" NOT NULL, PRIMARY KEY (replica, n), UNIQUE (replica, screening_id));
  CREATE TABLE ${s}.outcome_persons (person_id text COLLATE "C" NOT NULL, replica text COLLATE "C" NOT NULL, n bigint NOT NULL, PRIMARY KEY (person_id, replica, n));
  CREATE TABLE ${s}.attestations (ref text COLLATE "C" PRIMARY KEY, body text NOT NULL, replica text NOT NULL, screening_id text NOT NULL, revoked_at text, revoked_by text);`;

interface OutcomeRow {
  body: string;
  received_at: string;
  persons: string[] | null;
}


const columns = (s: string) => `o.body, o.received_at, ARRAY(SELECT person_id FROM ${s}.outcome_persons p WHERE p.replica = o.replica AND p.n = o.n ORDER BY person_id) AS persons`;

function outcomeOf(row: OutcomeRow | undefined): ReceivedOutcome | undefined {
  return row ? { signed: JSON.parse(row.body) as ReceivedOutcome['signed'], receivedAt: row.received_at, personIds: [...(row.persons ?? [])].sort() } : undefined;
}

export async function getOutcome(q: Queryable, s: string, replica: string, n: number): Promise<ReceivedOutcome | undefined> {
  return outcomeOf((await q.query<OutcomeRow>(`SELECT ${columns(s)} FROM ${s}.outcomes o WHERE o.replica = $1 AND o.n = $2`, [replica, n])).rows[0]);
}

export async function outcomeOfScreening(q: Queryable, s: string, replica: string, screeningId: string): Promise<ReceivedOutcome | undefined> {
  return outcomeOf((await q.query<OutcomeRow>(`SELECT ${columns(s)} FROM ${s}.outcomes o WHERE o.replica = $1 AND o.screening_id = $2`, [replica, screeningId])).rows[0]);
}

export async function putOutcome(q: Queryable, s: string, o: ReceivedOutcome): Promise<void> {
  const { replica, n, screeningId } = o.signed.outcome;
  await q.query(`INSERT INTO ${s}.outcomes (replica, n, screening_id, body, received_at) VALUES ($1, $2, $3, $4, $5)`, [replica, n, screeningId, JSON.stringify(o.signed), o.receivedAt]);
  if (o.personIds.length > 0) {
    await q.query(`INSERT INTO ${s}.outcome_persons (person_id, replica, n) SELECT p, $2, $3 FROM unnest($1::text[]) AS p ON CONFLICT DO NOTHING`, [o.personIds, replica, n]);
  }
}

export async function outcomesOfPerson(q: Queryable, s: string, personId: string, limit: number): Promise<ReceivedOutcome[]> {
  const rows = await q.query<OutcomeRow>(
    `SELECT ${columns(s)} FROM ${s}.outcome_persons l JOIN ${s}.outcomes o ON o.replica = l.replica AND o.n = l.n WHERE l.person_id = $1 ORDER BY o.received_at DESC, o.replica, o.n DESC LIMIT $2`,
    [personId, limit],
  );
  return rows.rows.map((r) => outcomeOf(r)!);
}

export async function outcomesAcknowledged(q: Queryable, s: string, replica: string): Promise<number> {
  return Number((await q.query<{ n: string | null }>(ACKNOWLEDGED_SQL(`${s}.outcomes`, '$1::text'), [replica])).rows[0]?.n ?? 0);
}


export async function getAttestation(q: Queryable, s: string, ref: string): Promise<RegisterAttestation | undefined> {
  return attestationOf((await q.query<AttestationRow>(`SELECT * FROM ${s}.attestations WHERE ref = $1`, [ref])).rows[0]);
}

export async function attestationCount(q: Queryable, s: string): Promise<number> {
  return Number((await q.query<{ n: string }>(`SELECT count(*) AS n FROM ${s}.attestations WHERE revoked_at IS NULL`)).rows[0]!.n);
}

export async function putAttestation(q: Queryable, s: string, a: RegisterAttestation): Promise<void> {
  await q.query(
    `INSERT INTO ${s}.attestations (ref, body, replica, screening_id, revoked_at, revoked_by) VALUES ($1, $2, $3, $4, $5, $6)
     ON CONFLICT (ref) DO UPDATE SET body = excluded.body, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by`,
    [a.attestation.ref, JSON.stringify(a.attestation), a.replica, a.screeningId, a.revokedAt ?? null, a.revokedBy ?? null],
  );
}

/**
 * The register's outcomes of screenings and confirmed non-matches on SQLite (register/outcomeService.ts):
 * the tables (a migration step), and their reads and writes, used by the write transaction and the store.
 */
import type { ReceivedOutcome, RegisterAttestation } from '../../../register/registerStore.js';
import { ACKNOWLEDGED_SQL, type AttestationRow, attestationOf } from '../../outcomeRows.js';
import type { Db } from '../../../shared/sqlite.js';

export const OUTCOME_SCHEMA = `
  CREATE TABLE outcomes (replica TEXT NOT NULL, n INTEGER NOT NULL, screening_id TEXT NOT NULL, body TEXT NOT NULL, received_at TEXT NOT NULL,
    PRIMARY KEY (replica, n), UNIQUE (replica, screening_id));
  CREATE TABLE outcome_persons (person_id TEXT NOT NULL, replica TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY (person_id, replica, n)) WITHOUT ROWID;
  CREATE TABLE attestations (ref TEXT PRIMARY KEY, body TEXT NOT NULL, replica TEXT NOT NULL, screening_id TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT) WITHOUT ROWID;`;

interface OutcomeRow {
  body: string;
  received_at: string;
  persons: string;
}


const OUTCOME_COLUMNS = "o.body, o.received_at, (SELECT json_group_array(person_id) FROM outcome_persons p WHERE p.replica = o.replica AND p.n = o.n) AS persons";

function outcomeOf(row: OutcomeRow | undefined): ReceivedOutcome | undefined {
  return row ? { signed: JSON.parse(row.body) as ReceivedOutcome['signed'], receivedAt: row.received_at, personIds: (JSON.parse(row.persons) as string[]).sort() } : undefined;
}

export function getOutcome(db: Db, replica: string, n: number): ReceivedOutcome | undefined {
  return outcomeOf(db.prepare<[string, number], OutcomeRow>(`SELECT ${OUTCOME_COLUMNS} FROM outcomes o WHERE o.replica = ? AND o.n = ?`).get(replica, n));
}

export function outcomeOfScreening(db: Db, replica: string, screeningId: string): ReceivedOutcome | undefined {
  return outcomeOf(db.prepare<[string, string], OutcomeRow>(`SELECT ${OUTCOME_COLUMNS} FROM outcomes o WHERE o.replica = ? AND o.screening_id = ?`).get(replica, screeningId));
}

export function putOutcome(db: Db, o: ReceivedOutcome): void {
  const { replica, n, screeningId } = o.signed.outcome;
  db.prepare('INSERT INTO outcomes VALUES (?, ?, ?, ?, ?)').run(replica, n, screeningId, JSON.stringify(o.signed), o.receivedAt);
  const link = db.prepare('INSERT OR IGNORE INTO outcome_persons VALUES (?, ?, ?)');
  for (const id of o.personIds) link.run(id, replica, n);
}

export function outcomesOfPerson(db: Db, personId: string, limit: number): ReceivedOutcome[] {
  return db
    .prepare<[string, number], OutcomeRow>(`SELECT ${OUTCOME_COLUMNS} FROM outcome_persons l JOIN outcomes o ON o.replica = l.replica AND o.n = l.n WHERE l.person_id = ? ORDER BY o.received_at DESC, o.replica, o.n DESC LIMIT ?`)
    .all(personId, limit)
    .map((r) => outcomeOf(r)!);
}


export function outcomesAcknowledged(db: Db, replica: string): number {
  return Number(db.prepare<[{ replica: string }], { n: number }>(ACKNOWLEDGED_SQL('outcomes', '@replica')).get({ replica })?.n ?? 0);
}


export function getAttestation(db: Db, ref: string): RegisterAttestation | undefined {
  return attestationOf(db.prepare<[string], AttestationRow>('SELECT * FROM attestations WHERE ref = ?').get(ref));
}

export function attestationCount(db: Db): number {
  return db.prepare<[], { n: number }>('SELECT count(*) AS n FROM attestations WHERE revoked_at IS NULL').get()!.n;
}

export function putAttestation(db: Db, a: RegisterAttestation): void {
  db.prepare(
    `INSERT INTO attestations VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT(ref) DO UPDATE SET body = excluded.body, revoked_at = excluded.revoked_at, revoked_by = excluded.revoked_by`,
  ).run(a.attestation.ref, JSON.stringify(a.attestation), a.replica, a.screeningId, a.revokedAt ?? null, a.revokedBy ?? null);
}

/**
 * Writing the replicated border view into a state database's rows: a person with its documents and
 * name keys, a restriction, a rule, an office, an attestation, and a change guarded by the row's seq. Shared by the bootstrap
 * (into fresh tables), the apply path and repair; the caller holds the transaction.
 */
import type { BorderPerson, BorderRestriction, Change, SnapshotRecord } from '../../../exchange/protocol.js';
import type { Matcher } from '../../../matching/index.js';
import { encodeDeferments, encodeDocuments, encodeName, indexEntriesOf } from '../../rows.js';
import type { Statements } from './schema.js';

type IndexKeys = Pick<Matcher, 'indexKeys'>;

/**
 * Deletes the documents and name keys of the person's stored row (before it is replaced or deleted).
 * There is no index by person on those tables: the old row is read by its primary key, its documents
 * and keys are recomputed with the matcher, and exactly those (number, country, person) and
 * (key, person) rows are deleted.
 *
 * A row edited by hand behind the replica's back (its names or documents changed in SQL) leaves the
 * rows of its earlier contents behind. They are harmless: a stale name key only makes the person a
 * candidate once more, and candidates are scored on the person's real row; byDocument returns a person
 * only if the row really holds the document. Anti-entropy repairs the row itself; a new matcher version
 * rebuilds every key.
 */
export function clearPerson(s: Statements, matcher: IndexKeys, personId: string): void {
  const row = s.getPerson.get(personId);
  if (!row) return;
  const old = indexEntriesOf(row, (p) => matcher.indexKeys(p));
  for (const d of old.documents) s.deleteDocument.run(d.number, d.country, personId);
  for (const key of old.keys) s.deleteKey.run(key, personId);
}

/** Deletes a person with its documents and name keys. */
export function deletePerson(s: Statements, matcher: IndexKeys, personId: string): void {
  clearPerson(s, matcher, personId);
  s.deletePerson.run(personId);
}

/** `fresh`: the bootstrap's empty tables, with no old rows to clear. */
export function writePerson(s: Statements, matcher: IndexKeys, p: BorderPerson, seq: number, fresh = false): void {
  if (!fresh) clearPerson(s, matcher, p.personId);
  s.putPerson.run({
    person_id: p.personId,
    surname: encodeName(p.surname),
    given_names: encodeName(p.givenNames),
    patronymic: p.patronymic === undefined ? null : encodeName(p.patronymic),
    date_of_birth: p.dateOfBirth,
    documents: encodeDocuments(p.documents),
    deferments: encodeDeferments(p.deferments),
    seq,
  });
  for (const d of p.documents) s.putDocument.run(d.number, d.country, p.personId);
  for (const key of matcher.indexKeys(p)) s.putKey.run(key, p.personId);
}

export function writeRestriction(s: Statements, r: BorderRestriction, seq: number): void {
  s.putRestriction.run({
    restriction_id: r.restrictionId,
    person_id: r.personId,
    kind: r.kind,
    basis: r.basis,
    office: r.office,
    in_force_from: r.inForceFrom,
    lifted_at: r.liftedAt ?? null,
    lift_reason: r.liftReason ?? null,
    seq,
    expires_at: r.expiresAt ?? null,
  });
}

export function writeRecord(s: Statements, matcher: IndexKeys, record: SnapshotRecord, seq: number, fresh = false): void {
  if (record.type === 'person') writePerson(s, matcher, record.body, seq, fresh);
  else if (record.type === 'restriction') writeRestriction(s, record.body, seq);
  else if (record.type === 'office') s.putOffice.run(record.body.officeId, JSON.stringify(record.body), seq);
  else if (record.type === 'attestation') s.putAttestation.run(record.body.ref, JSON.stringify(record.body), seq);
  else s.putRule.run(record.body.ruleId, JSON.stringify(record.body), seq);
}

/**
 * Writes one change unless the row already holds a newer state (its seq is at least the change's):
 * relief applied ahead of the sequence (applyRelief) must not be undone when the older changes of the
 * same entity arrive in order. Repair writes (seq = cursor) are not guarded by this.
 */
export function applyChange(s: Statements, matcher: IndexKeys, change: Change): void {
  if (change.entity === 'person') {
    if ((s.personSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
    if (change.body) writePerson(s, matcher, change.body, change.seq);
    else deletePerson(s, matcher, change.key);
  } else if (change.entity === 'restriction') {
    if ((s.restrictionSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
    if (change.body) writeRestriction(s, change.body, change.seq);
    else s.deleteRestriction.run(change.key);
  } else if (change.entity === 'office') {
    if ((s.officeSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
    if (change.body) s.putOffice.run(change.key, JSON.stringify(change.body), change.seq);
    else s.deleteOffice.run(change.key);
  } else if (change.entity === 'attestation') {
    if ((s.attestationSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
    if (change.body) s.putAttestation.run(change.key, JSON.stringify(change.body), change.seq);
    else s.deleteAttestation.run(change.key);
  } else {
    if ((s.ruleSeq.get(change.key)?.seq ?? -1) >= change.seq) return;
    if (change.body) s.putRule.run(change.key, JSON.stringify(change.body), change.seq);
    else s.deleteRule.run(change.key);
  }
}

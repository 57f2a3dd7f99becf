/**
 * Table rows and the domain objects they hold, shared by the SQLite and PostgreSQL stores: both keep
 * the same columns (JSON as text), so one mapping serves both and keeps their border views identical.
 */
import type { Contact, Deferment, IdentityDocument, Person, Restriction } from '../domain/types.js';
import type { QueuedNotice } from '../domain/notice.js';
import type { PersonVersion } from '../register/registerStore.js';
import type { BorderPerson, BorderRestriction, Change, ChangeEntity } from '../exchange/protocol.js';

export interface RegisterPersonRow {
  person_id: string;
  surname: string;
  given_names: string;
  patronymic: string | null;
  date_of_birth: string;
  sex: string | null;
  documents: string;
  deferments: string;
  /** JSON of the person's Contact, or null. */
  contact: string | null;
}

export interface RegisterRestrictionRow {
  restriction_id: string;
  person_id: string;
  kind: string;
  basis: string;
  office: string;
  issued_at: string;
  served_at: string | null;
  service_channel: string | null;
  lifted_at: string | null;
  lift_reason: string | null;
  delivered_at: string | null;
  in_force_from: string | null;
  expires_at: string | null;
  review_at: string | null;
  campaign: string | null;
}

export interface PersonVersionRow {
  person_id: string;
  version: number;
  superseded_at: string;
  superseded_by: string;
  body: string;
}

export function personVersionOf(row: PersonVersionRow): PersonVersion {
  return { version: Number(row.version), supersededAt: row.superseded_at, supersededBy: row.superseded_by, person: JSON.parse(row.body) as Person };
}

export interface BatchRow {
  last_seq: number;
  first_seq: number;
  prev_hash: string;
  hash: string;
  committed_at: string;
  key_id: string;
  signature: string;
}

export interface ChangeRow {
  seq: number;
  at: string;
  entity: string;
  key: string;
  body: string | null;
}

export function registerPersonOf(row: RegisterPersonRow): Person {
  const p: Person = {
    personId: row.person_id,
    surname: row.surname,
    givenNames: row.given_names,
    dateOfBirth: row.date_of_birth,
    documents: JSON.parse(row.documents),
    deferments: JSON.parse(row.deferments),
  };
  if (row.patronymic !== null) p.patronymic = row.patronymic;
  if (row.sex !== null) p.sex = row.sex as Person['sex'];
  if (row.contact !== null && row.contact !== undefined) p.contact = JSON.parse(row.contact) as Contact;
  return p;
}

export function registerRestrictionOf(row: RegisterRestrictionRow): Restriction {
  const r: Restriction = {
    restrictionId: row.restriction_id,
    personId: row.person_id,
    kind: row.kind as Restriction['kind'],
    basis: row.basis,
    office: row.office,
    issuedAt: row.issued_at,
  };
  if (row.served_at !== null) r.servedAt = row.served_at;
  if (row.service_channel !== null) r.serviceChannel = row.service_channel as Restriction['serviceChannel'];
  if (row.lifted_at !== null) r.liftedAt = row.lifted_at;
  if (row.lift_reason !== null) r.liftReason = row.lift_reason as Restriction['liftReason'];
  if (row.delivered_at !== null) r.deliveredAt = row.delivered_at;
  if (row.in_force_from !== null) r.inForceFrom = row.in_force_from;
  if (row.expires_at !== null) r.expiresAt = row.expires_at;
  if (row.review_at !== null) r.reviewAt = row.review_at;
  if (row.campaign !== null) r.campaign = row.campaign;
  return r;
}

export function changeOf(row: ChangeRow): Change {
  return {
    seq: row.seq,
    at: row.at,
    entity: row.entity as ChangeEntity,
    key: row.key,
    body: row.body === null ? null : JSON.parse(row.body),
  } as Change;
}

/**
 * A replica keeps a person's documents as lines of `type TAB number TAB country`, not JSON: a third of
 * the JSON was its own key names and punctuation, repeated for every one of ten million persons (about
 * 37 bytes of a 150-byte row). A document whose fields would break that form (a tab or newline, or a
 * text that would start with `[`) keeps the whole list as JSON; rows written before this form are JSON
 * too, and both read back the same.
 */
export function encodeDocuments(docs: readonly IdentityDocument[]): string {
  const plain = docs.every((d) => !/[\t\n]/.test(d.type + d.number + d.country)) && !(docs[0]?.type.startsWith('['));
  if (!plain) return JSON.stringify(docs);
  return docs.map((d) => `${d.type}\t${d.number}\t${d.country}`).join('\n');
}

export function decodeDocuments(text: string): IdentityDocument[] {
  if (text === '') return [];
  if (text.startsWith('[')) return JSON.parse(text) as IdentityDocument[];
  return text.split('\n').map((line) => {
    const [type, number, country] = line.split('\t') as [string, string, string];
    return { type, number, country };
  });
}

/** Most persons hold no deferment: an empty list is kept as an empty text (`[]` before; both read back). */
export function encodeDeferments(deferments: readonly Deferment[]): string {
  return deferments.length === 0 ? '' : JSON.stringify(deferments);
}

export function decodeDeferments(text: string): Deferment[] {
  return text === '' ? [] : (JSON.parse(text) as Deferment[]);
}

/**
 * A replica keeps a Cyrillic name one byte per letter, in Windows-1251 (a BLOB), where UTF-8 takes two:
 * names are half of a person's row, and ten million rows are the replica's disk and page cache. A name
 * with a letter Windows-1251 lacks (another script, a rare diacritic), and a name in ASCII alone (no
 * gain), stays text; text and bytes both read back as the same string. The table is Node's own
 * decoder read backwards, so the two directions cannot disagree.
 */
const CP1251 = new TextDecoder('windows-1251');
const CP1251_BYTE = (() => {
  const byCode = new Map<number, number>();
  for (let b = 0x80; b < 0x100; b++) {
    const ch = CP1251.decode(Uint8Array.of(b));
    if (ch.length === 1 && ch !== '\uFFFD' && !byCode.has(ch.charCodeAt(0))) byCode.set(ch.charCodeAt(0), b);
  }
  return byCode;
})();

export function encodeName(name: string): string | Buffer {
  let ascii = true;
  const out = Buffer.allocUnsafe(name.length);
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    if (code < 0x80) {
      out[i] = code;
      continue;
    }
    const b = CP1251_BYTE.get(code);
    if (b === undefined) return name;
    out[i] = b;
    ascii = false;
  }
  return ascii ? name : out;
}

export function decodeName(value: string | Uint8Array): string {
  return typeof value === 'string' ? value : CP1251.decode(value);
}

export interface ReplicaPersonRow {
  person_id: string;
  /** Text, or Windows-1251 bytes (encodeName). */
  surname: string | Uint8Array;
  given_names: string | Uint8Array;
  patronymic: string | Uint8Array | null;
  date_of_birth: string;
  documents: string;
  deferments: string;
}

export interface ReplicaRestrictionRow {
  restriction_id: string;
  person_id: string;
  kind: string;
  basis: string;
  office: string;
  in_force_from: string;
  lifted_at: string | null;
  lift_reason: string | null;
  expires_at: string | null;
}

/**
 * The documents and name keys a stored person row is indexed under, recomputed from the row (the
 * replica's documents and name-key tables have no index by person); none for a row broken by hand,
 * which has nothing to recompute from.
 */
export function indexEntriesOf(row: ReplicaPersonRow, indexKeys: (p: BorderPerson) => string[]): { documents: IdentityDocument[]; keys: string[] } {
  let person: BorderPerson;
  try {
    person = replicaPersonOf(row);
  } catch {
    return { documents: [], keys: [] };
  }
  return { documents: person.documents, keys: indexKeys(person) };
}

export function replicaPersonOf(row: ReplicaPersonRow): BorderPerson {
  const p: BorderPerson = {
    personId: row.person_id,
    surname: decodeName(row.surname),
    givenNames: decodeName(row.given_names),
    dateOfBirth: row.date_of_birth,
    documents: decodeDocuments(row.documents),
    deferments: decodeDeferments(row.deferments),
  };
  if (row.patronymic !== null) p.patronymic = decodeName(row.patronymic);
  return p;
}

export function replicaRestrictionOf(row: ReplicaRestrictionRow): BorderRestriction {
  const r: BorderRestriction = {
    restrictionId: row.restriction_id,
    personId: row.person_id,
    kind: row.kind as BorderRestriction['kind'],
    basis: row.basis,
    office: row.office,
    inForceFrom: row.in_force_from,
  };
  if (row.expires_at !== null) r.expiresAt = row.expires_at;
  if (row.lifted_at !== null) r.liftedAt = row.lifted_at;
  if (row.lift_reason !== null) r.liftReason = row.lift_reason as BorderRestriction['liftReason'];
  return r;
}

export function registerPersonRow(p: Person): RegisterPersonRow {
  return {
    person_id: p.personId,
    surname: p.surname,
    given_names: p.givenNames,
    patronymic: p.patronymic ?? null,
    date_of_birth: p.dateOfBirth,
    sex: p.sex ?? null,
    documents: JSON.stringify(p.documents),
    deferments: JSON.stringify(p.deferments),
    contact: p.contact ? JSON.stringify(p.contact) : null,
  };
}

/** A notification outbox row (register/noticeOutbox.ts), the same columns on both backends. */
export interface NoticeRow {
  id: number | string;
  created_at: string;
  kind: string;
  person_id: string;
  channel: string;
  address: string;
  language: string;
  event: string;
  attempts: number;
  next_attempt_at: string;
  delivered_at: string | null;
  failed_at: string | null;
  last_error: string | null;
}

export function noticeRow(n: QueuedNotice, createdAt: string): Omit<NoticeRow, 'id' | 'attempts' | 'next_attempt_at' | 'delivered_at' | 'failed_at' | 'last_error'> {
  return { created_at: createdAt, kind: n.event.kind, person_id: n.event.personId, channel: n.channel, address: n.address, language: n.language, event: JSON.stringify(n.event) };
}

/**
 * The outbox's order rule, shared by both backends: a notice is not due while an earlier one to the same
 * address over the same channel is still pending — a person must never read "lifted" before the "in
 * force" it lifts because the first hit a retry. (A notice given up as failed no longer holds the queue.)
 * `table` is the notices table's name, qualified on PostgreSQL; the outer row is aliased `n`.
 */
export function noEarlierPendingNotice(table: string): string {
  return `NOT EXISTS (SELECT 1 FROM ${table} e WHERE e.person_id = n.person_id AND e.channel = n.channel AND e.address = n.address
            AND e.id < n.id AND e.delivered_at IS NULL AND e.failed_at IS NULL)`;
}

export function outboxEntryOf(row: NoticeRow) {
  return {
    id: Number(row.id),
    createdAt: row.created_at,
    channel: row.channel as QueuedNotice['channel'],
    address: row.address,
    language: row.language as QueuedNotice['language'],
    event: JSON.parse(row.event) as QueuedNotice['event'],
    attempts: Number(row.attempts),
    nextAttemptAt: row.next_attempt_at,
    deliveredAt: row.delivered_at,
    failedAt: row.failed_at,
    lastError: row.last_error,
  };
}

/**
 * The replica's meta values right after a bootstrap as of `asOfSeq`: the cursor at the snapshot, nothing
 * applied since, its data as current as the snapshot's signed register time. One definition for both
 * backends, so a bootstrap means the same state in each.
 */
export function bootstrappedMeta(asOfSeq: number, registerTime: string, lastHash: string, matcherVersion: string): Record<string, string | number> {
  return { cursor: asOfSeq, lastHash, snapshotSeq: asOfSeq, registerSeq: asOfSeq, changesApplied: 0, dataAsOf: registerTime, matcher: matcherVersion };
}

/** The meta key under which a replica's writer publishes its sync view for the other workers (border/syncView.ts). */
export const SYNC_VIEW_KEY = 'syncView';

/**
 * Table rows and the domain objects they hold, shared by the SQLite and PostgreSQL stores: both keep
 * the same columns (JSON as text), so one mapping serves both and keeps their border views identical.
 */
import type { Person, Restriction } from '../domain/types.js';
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

export interface ReplicaPersonRow {
  person_id: string;
  surname: string;
  given_names: string;
  patronymic: string | null;
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

export function replicaPersonOf(row: ReplicaPersonRow): BorderPerson {
  const p: BorderPerson = {
    personId: row.person_id,
    surname: row.surname,
    givenNames: row.given_names,
    dateOfBirth: row.date_of_birth,
    documents: JSON.parse(row.documents),
    deferments: JSON.parse(row.deferments),
  };
  if (row.patronymic !== null) p.patronymic = row.patronymic;
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
  };
}

/**
 * Reading the register on SQLite: persons, restrictions, person versions, search, rules and the audit
 * entries about some subjects. Nothing here writes; inside a write transaction these read its writes.
 */
import type { Office } from '../../../domain/offices.js';
import type { CategoryRule } from '../../../domain/rules.js';
import type { Person, Restriction } from '../../../domain/types.js';
import type { AuditEntry } from '../../../audit/chain.js';
import type { PersonVersion, RestrictionTally } from '../../../register/registerStore.js';
import { auditEntryOf, type AuditRow } from '../../auditRow.js';
import { personVersionOf, registerPersonOf as personOf, type RegisterRestrictionRow as RestrictionRow, registerRestrictionOf as restrictionOf } from '../../rows.js';
import type { RegisterDb } from './registerDb.js';

export function readPerson(r: RegisterDb, id: string): Person | undefined {
  const row = r.stmt.getPerson.get(id);
  return row ? personOf(row) : undefined;
}

export function readRestriction(r: RegisterDb, id: string): Restriction | undefined {
  const row = r.stmt.getRestriction.get(id);
  return row ? restrictionOf(row) : undefined;
}

export function restrictionsOf(r: RegisterDb, personId: string): Restriction[] {
  return r.stmt.restrictionsOf.all(personId).map(restrictionOf);
}

export function campaignRestrictions(r: RegisterDb, campaign: string): Restriction[] {
  return r.db.prepare<[string], RestrictionRow>('SELECT * FROM restrictions WHERE campaign = ? ORDER BY restriction_id').all(campaign).map(restrictionOf);
}

export function personVersions(r: RegisterDb, personId: string, limit: number): PersonVersion[] {
  return r.stmt.versionsOf.all(personId, limit).map(personVersionOf);
}

export function searchPersons(r: RegisterDb, keys: string[], limit: number): Person[] {
  const seen = new Map<string, Person>();
  for (const key of keys) {
    for (const row of r.stmt.byKey.iterate(key)) {
      if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
      if (seen.size >= limit) return [...seen.values()];
    }
  }
  return [...seen.values()];
}

export function readRule(r: RegisterDb, id: string): CategoryRule | undefined {
  const row = r.stmt.getRule.get(id);
  return row ? (JSON.parse(row.body) as CategoryRule) : undefined;
}

export function rules(r: RegisterDb): CategoryRule[] {
  return r.stmt.rules.all().map((row) => JSON.parse(row.body) as CategoryRule);
}

export function ruleVersions(r: RegisterDb, ruleId: string): CategoryRule[] {
  return r.stmt.ruleVersions.all(ruleId).map((row) => JSON.parse(row.body) as CategoryRule);
}

export function readOffice(r: RegisterDb, id: string): Office | undefined {
  const row = r.stmt.getOffice.get(id);
  return row ? (JSON.parse(row.body) as Office) : undefined;
}

export function offices(r: RegisterDb): Office[] {
  return r.stmt.offices.all().map((row) => JSON.parse(row.body) as Office);
}

export function auditAbout(r: RegisterDb, subjects: string[], limit: number): AuditEntry[] {
  if (subjects.length === 0) return [];
  const rows = r.db
    .prepare<unknown[], AuditRow>(`SELECT * FROM audit_trail WHERE subject IN (${subjects.map(() => '?').join(',')}) ORDER BY seq DESC LIMIT ?`)
    .all(...subjects, limit);
  return rows.map(auditEntryOf);
}

/** Restrictions imposed (came into force) and lifted, by kind and office. */
export function restrictionTallies(r: RegisterDb): RestrictionTally[] {
  return r.db
    .prepare<[], RestrictionTally>(
      `SELECT kind, office, count(in_force_from) AS imposed, count(lifted_at) AS lifted,
              count(*) FILTER (WHERE lift_reason = 'expiry') AS expired
       FROM restrictions GROUP BY kind, office ORDER BY kind, office`,
    )
    .all();
}

/**
 * Reading the register's current state on PostgreSQL: persons, restrictions, rules and their versions,
 * person versions, the name search and the audit entries about a subject. A read takes the pool
 * (outside a transaction) or the open transaction's client (`on`), so a write decides on what it
 * sees inside its own transaction. Nothing here writes.
 */
import type { AuditEntry } from '../../../audit/chain.js';
import type { Office } from '../../../domain/offices.js';
import type { CategoryRule } from '../../../domain/rules.js';
import type { Person, Restriction } from '../../../domain/types.js';
import type { PersonVersion, RestrictionTally } from '../../../register/registerStore.js';
import { auditEntryOf, type AuditRow } from '../../auditRow.js';
import { type RegisterPersonRow as PersonRow, type RegisterRestrictionRow as RestrictionRow, registerPersonOf as personOf, personVersionOf, type PersonVersionRow, registerRestrictionOf as restrictionOf } from '../../rows.js';
import type { Queryable, RegisterDb } from './registerDb.js';

export async function readPerson(db: RegisterDb, personId: string, on: Queryable = db.pool): Promise<Person | undefined> {
  const row = (await on.query<PersonRow>(`SELECT * FROM ${db.s}.persons WHERE person_id = $1`, [personId])).rows[0];
  return row ? personOf(row) : undefined;
}

export async function readRestriction(db: RegisterDb, restrictionId: string, on: Queryable = db.pool): Promise<Restriction | undefined> {
  const row = (await on.query<RestrictionRow>(`SELECT * FROM ${db.s}.restrictions WHERE restriction_id = $1`, [restrictionId])).rows[0];
  return row ? restrictionOf(row) : undefined;
}

/** A person's restrictions, in the order they were issued. */
export async function restrictionsOf(db: RegisterDb, personId: string, on: Queryable = db.pool): Promise<Restriction[]> {
  const rows = (await on.query<RestrictionRow>(`SELECT * FROM ${db.s}.restrictions WHERE person_id = $1 ORDER BY issued_at, restriction_id`, [personId])).rows;
  return rows.map(restrictionOf);
}

/** The restrictions of one campaign, by id (only a write transaction asks). */
export async function campaignRestrictions(db: RegisterDb, campaign: string, on: Queryable): Promise<Restriction[]> {
  const rows = (await on.query<RestrictionRow>(`SELECT * FROM ${db.s}.restrictions WHERE campaign = $1 ORDER BY restriction_id`, [campaign])).rows;
  return rows.map(restrictionOf);
}

export async function readRule(db: RegisterDb, ruleId: string, on: Queryable = db.pool): Promise<CategoryRule | undefined> {
  const row = (await on.query<{ body: string }>(`SELECT body FROM ${db.s}.rules WHERE rule_id = $1`, [ruleId])).rows[0];
  return row ? (JSON.parse(row.body) as CategoryRule) : undefined;
}

export async function rules(db: RegisterDb): Promise<CategoryRule[]> {
  return (await db.pool.query<{ body: string }>(`SELECT body FROM ${db.s}.rules ORDER BY rule_id`)).rows.map((r) => JSON.parse(r.body) as CategoryRule);
}

export async function readOffice(db: RegisterDb, officeId: string, on: Queryable = db.pool): Promise<Office | undefined> {
  const row = (await on.query<{ body: string }>(`SELECT body FROM ${db.s}.offices WHERE office_id = $1`, [officeId])).rows[0];
  return row ? (JSON.parse(row.body) as Office) : undefined;
}

export async function offices(db: RegisterDb): Promise<Office[]> {
  return (await db.pool.query<{ body: string }>(`SELECT body FROM ${db.s}.offices ORDER BY office_id`)).rows.map((r) => JSON.parse(r.body) as Office);
}

/** Every version of a rule, oldest first. */
export async function ruleVersions(db: RegisterDb, ruleId: string): Promise<CategoryRule[]> {
  return (await db.pool.query<{ body: string }>(`SELECT body FROM ${db.s}.rule_versions WHERE rule_id = $1 ORDER BY version`, [ruleId])).rows.map(
    (r) => JSON.parse(r.body) as CategoryRule,
  );
}

/** A person's superseded states, newest first. */
export async function personVersions(db: RegisterDb, personId: string, limit: number): Promise<PersonVersion[]> {
  const rows = await db.pool.query<PersonVersionRow>(`SELECT * FROM ${db.s}.person_versions WHERE person_id = $1 ORDER BY version DESC LIMIT $2`, [personId, limit]);
  return rows.rows.map(personVersionOf);
}

/** Persons under these search keys, each once, at most `limit`. */
export async function searchPersons(db: RegisterDb, keys: string[], limit: number): Promise<Person[]> {
  const seen = new Map<string, Person>();
  // Key by key, most specific first, so a common surname code does not crowd out an exact pair.
  for (const key of keys) {
    const rows = (
      await db.pool.query<PersonRow>(
        `SELECT p.* FROM ${db.s}.person_keys k JOIN ${db.s}.persons p ON p.person_id = k.person_id WHERE k.key = $1 ORDER BY p.person_id LIMIT $2`,
        [key, limit],
      )
    ).rows;
    for (const row of rows) {
      if (!seen.has(row.person_id)) seen.set(row.person_id, personOf(row));
      if (seen.size >= limit) return [...seen.values()];
    }
  }
  return [...seen.values()];
}

/** The newest audit entries about any of these subjects. */
export async function auditAbout(db: RegisterDb, subjects: string[], limit: number): Promise<AuditEntry[]> {
  if (subjects.length === 0) return [];
  const rows = await db.pool.query<AuditRow>(`SELECT * FROM ${db.s}.audit_trail WHERE subject = ANY($1::text[]) ORDER BY seq DESC LIMIT $2`, [subjects, limit]);
  return rows.rows.map(auditEntryOf);
}

/** Restrictions imposed (came into force) and lifted, by kind and office. */
export async function restrictionTallies(db: RegisterDb): Promise<RestrictionTally[]> {
  const rows = (
    await db.pool.query<Record<keyof RestrictionTally, string>>(
      `SELECT kind, office, count(in_force_from) AS imposed, count(lifted_at) AS lifted,
              count(*) FILTER (WHERE lift_reason = 'expiry') AS expired
       FROM ${db.s}.restrictions GROUP BY kind, office ORDER BY kind COLLATE "C", office COLLATE "C"`,
    )
  ).rows;
  return rows.map((r) => ({ kind: r.kind, office: r.office, imposed: Number(r.imposed), lifted: Number(r.lifted), expired: Number(r.expired) }));
}

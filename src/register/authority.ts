/**
 * Who may change what about a person (issue #15, "decision integrity"). A person's name, date of birth
 * and documents decide whom a checkpoint matches, and a deferment or exemption turns a call-up (and a
 * category-wide rule) into `clear`; so an office must not be able to rewrite either on a person whose
 * decisions belong to another office. This is a pure policy: the register service feeds it the person
 * before and after a write and the restrictions open on them, inside the write's transaction, and turns
 * a refusal into 403 (or 400 for a missing legal basis) before anything is written.
 *
 * The rules (an operator, or a request with auth switched off, may do everything; it is audited):
 *
 * | change by office O                            | allowed when                                                              |
 * |-----------------------------------------------|---------------------------------------------------------------------------|
 * | create a person                               | always (identity); its deferments as "add" below                          |
 * | identity: surname, given names, patronymic,   | no other office holds an open (not lifted) restriction on the person,     |
 * |   date of birth, sex, documents               |   and every deferment they hold was granted by O                          |
 * | add a deferment / exemption                   | `grantedBy` is O (the default for an office), it has a legal `basis`,     |
 * |                                               |   a row of the grant table lets O grant that kind and category, and for   |
 * |                                               |   every other office X with an open call-up on the person, such a row     |
 * |                                               |   lets O relieve X's call-ups (`relieves`)                                |
 * | change or remove a deferment / exemption      | it was granted by O and O may still grant its kind and category           |
 * |   (a change is a removal plus an addition)    |   (and the addition passes the row above)                                 |
 *
 * A deferment without `grantedBy` (an operator's, or one registered before grants were recorded) was
 * granted by "the register": only an operator may change or remove it.
 *
 * The grant table is data: DEFAULT_GRANTS below, replaced as a whole by `<data>/authority.json`
 * (grantTableFile.ts). A row `{grantor, kinds, categories, relieves}` names offices by code or by a
 * prefix ending in `*` (`MO-*`, or `*` for every office); `relieves` lists whose open call-ups such a
 * grant may clear: `own` (the grantor's own) and/or office patterns.
 */
import { z } from 'zod';
import { DEFERMENT_CATEGORIES, type Deferment, type Person, type Restriction } from '../domain/types.js';
import { canonicalJson } from '../shared/canonical.js';

/** Who writes: an office (its rules apply) or an operator (`office` absent: everything is allowed). */
export interface Actor {
  /** For the audit trail, e.g. `office:clerk@MO-1`. */
  name: string;
  /** Set for an office token: the office whose authority the write has. */
  office?: string;
}

export const DEFERMENT_KINDS = ['deferment', 'exemption'] as const;

const officePattern = z.string().regex(/^(\*|[A-Za-z0-9][A-Za-z0-9-]{0,63}\*?)$/, 'must be an office code, a prefix ending in * (MO-*), or *');

export const grantRowSchema = z.object({
  grantor: officePattern,
  kinds: z.array(z.enum(DEFERMENT_KINDS)).min(1, 'must name at least one kind (deferment, exemption)'),
  categories: z.array(z.enum([...DEFERMENT_CATEGORIES, '*'])).min(1, 'must name at least one category, or *'),
  relieves: z.array(z.union([z.literal('own'), officePattern])).default(['own']),
});
export const grantTableSchema = z.object({ grants: z.array(grantRowSchema).max(1000) });
export type GrantRow = z.output<typeof grantRowSchema>;
export type GrantTable = z.output<typeof grantTableSchema>;

/**
 * The default: every office may grant deferments and exemptions of every category to persons on whom no
 * other office holds an open call-up (its own conscripts, or persons with none). Relieving another
 * office's call-up needs a row saying so, or an operator.
 */
export const DEFAULT_GRANTS: GrantTable = {
  grants: [{ grantor: '*', kinds: ['deferment', 'exemption'], categories: ['*'], relieves: ['own'] }],
};

/** The grantor of a deferment as the rules see it ("the register" when none was recorded). */
export const REGISTER_GRANTOR = 'the register';
export const grantorOf = (d: Deferment): string => d.grantedBy ?? REGISTER_GRANTOR;

export const IDENTITY_FIELDS = ['surname', 'givenNames', 'patronymic', 'dateOfBirth', 'sex', 'documents'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

export interface Refusal {
  status: 403 | 400;
  message: string;
  field: string;
}

export function officeMatches(pattern: string, office: string): boolean {
  if (pattern === '*') return true;
  if (pattern.endsWith('*')) return office.startsWith(pattern.slice(0, -1));
  return pattern === office;
}

/** "student deferment (2024-09-01 to 2025-06-30)" */
export function describeDeferment(d: Deferment): string {
  return `${d.category} ${d.kind ?? 'deferment'} (${d.validFrom} to ${d.validTo})`;
}

/** The identity fields whose values differ, in IDENTITY_FIELDS order. */
export function changedIdentity(before: Person, after: Person): IdentityField[] {
  return IDENTITY_FIELDS.filter((f) => canonicalJson(before[f] ?? null) !== canonicalJson(after[f] ?? null));
}

/** Deferments in `a` that are not in `b`, counted as a multiset (a deferment has no id of its own). */
export function defermentsMissing(a: readonly Deferment[], b: readonly Deferment[]): Deferment[] {
  const left = new Map<string, number>();
  for (const d of b) left.set(canonicalJson(d), (left.get(canonicalJson(d)) ?? 0) + 1);
  const out: Deferment[] = [];
  for (const d of a) {
    const key = canonicalJson(d);
    const n = left.get(key) ?? 0;
    if (n > 0) left.set(key, n - 1);
    else out.push(d);
  }
  return out;
}

/** Rows of the table that let `office` grant this kind and category. */
function competentRows(table: GrantTable, office: string, d: Deferment): GrantRow[] {
  const kind = d.kind ?? 'deferment';
  return table.grants.filter((row) => officeMatches(row.grantor, office) && row.kinds.includes(kind) && (row.categories.includes('*') || row.categories.includes(d.category)));
}

function mayRelieve(row: GrantRow, grantor: string, other: string): boolean {
  return row.relieves.some((p) => (p === 'own' ? grantor === other : officeMatches(p, other)));
}

const list = (xs: string[]) => (xs.length === 1 ? xs[0]! : `${xs.slice(0, -1).join(', ')} and ${xs[xs.length - 1]}`);

export interface PersonChange {
  actor: Actor;
  /** The person as stored, or undefined for a new person. */
  before: Person | undefined;
  /** The person as the write would leave them (deferments with their grantor filled in). */
  after: Person;
  /** The person's restrictions as stored before the write (lifted ones are ignored). */
  restrictions: readonly Restriction[];
  table: GrantTable;
}

/** Decides one write to a person: null when allowed, else why not (the first reason found). */
export function checkPersonChange(change: PersonChange): Refusal | null {
  const office = change.actor.office;
  if (office === undefined) return null;
  const { before, after } = change;
  const open = change.restrictions.filter((r) => !r.liftedAt);

  if (before) {
    const changed = changedIdentity(before, after);
    if (changed.length > 0) {
      const holders = [...new Set([...open.map((r) => r.office), ...before.deferments.map(grantorOf)])].filter((o) => o !== office).sort();
      if (holders.length > 0) {
        const what = [
          ...open.filter((r) => r.office !== office).map((r) => `an open ${r.kind} ${r.restrictionId} of office ${r.office}`),
          ...before.deferments.filter((d) => grantorOf(d) !== office).map((d) => `a ${describeDeferment(d)} granted by ${grantorOf(d) === REGISTER_GRANTOR ? REGISTER_GRANTOR : `office ${grantorOf(d)}`}`),
        ];
        const who = holders.length === 1 && holders[0] !== REGISTER_GRANTOR ? `an operator or office ${holders[0]}` : 'an operator';
        return {
          status: 403,
          field: changed[0]!,
          message: `office ${office} may not change the ${list(changed.map(fieldName))} of person ${after.personId}, who holds ${list(what)}; ${who} must make this change`,
        };
      }
    }
  }

  const removed = defermentsMissing(before?.deferments ?? [], after.deferments);
  for (const d of removed) {
    const grantor = grantorOf(d);
    if (grantor !== office) {
      const who = grantor === REGISTER_GRANTOR ? 'an operator' : `an operator or office ${grantor}`;
      return { status: 403, field: 'deferments', message: `office ${office} may not remove or change the ${describeDeferment(d)} of person ${after.personId} granted by ${grantor === REGISTER_GRANTOR ? REGISTER_GRANTOR : `office ${grantor}`}; ${who} must make this change` };
    }
    if (competentRows(change.table, office, d).length === 0) {
      return { status: 403, field: 'deferments', message: `office ${office} may not remove or change the ${describeDeferment(d)} of person ${after.personId}: the grant table no longer lets it grant ${d.category} ${d.kind ?? 'deferment'}s; an operator must make this change` };
    }
  }

  const added = defermentsMissing(after.deferments, before?.deferments ?? []);
  for (const d of added) {
    const field = `deferments.${after.deferments.indexOf(d)}`;
    if (d.grantedBy !== office) {
      return { status: 403, field: `${field}.grantedBy`, message: `office ${office} may grant deferments only in its own name, not as ${d.grantedBy === undefined ? REGISTER_GRANTOR : `office ${d.grantedBy}`}` };
    }
    if (!d.basis) return { status: 400, field: `${field}.basis`, message: `${field}.basis: is required when an office grants a deferment or exemption (the decision and the law it rests on)` };
    const rows = competentRows(change.table, office, d);
    if (rows.length === 0) {
      return { status: 403, field, message: `office ${office} may not grant ${d.category} ${d.kind ?? 'deferment'}s: no row of the grant table allows it; an operator must grant it, or allow it in authority.json` };
    }
    const others = [...new Set(open.filter((r) => r.kind === 'call-up' && r.office !== office).map((r) => r.office))].sort();
    const outside = others.filter((o) => !rows.some((row) => mayRelieve(row, office, o)));
    if (outside.length > 0) {
      const callUps = open.filter((r) => r.kind === 'call-up' && outside.includes(r.office)).map((r) => `${r.restrictionId} of office ${r.office}`);
      return {
        status: 403,
        field,
        message: `office ${office} may not grant a ${describeDeferment(d)} to person ${after.personId}: it would clear call-up ${list(callUps)} at the border, and the grant table does not let office ${office} relieve call-ups of ${list(outside.map((o) => `office ${o}`))}; ${outside.length === 1 ? `an operator or office ${outside[0]}` : 'an operator'} must grant it`,
      };
    }
  }
  return null;
}

const FIELD_NAMES: Record<IdentityField, string> = {
  surname: 'surname',
  givenNames: 'given names',
  patronymic: 'patronymic',
  dateOfBirth: 'date of birth',
  sex: 'sex',
  documents: 'documents',
};
const fieldName = (f: IdentityField) => FIELD_NAMES[f];

/**
 * The deferments an office's write would store: one without a grantor is granted in the office's name,
 * unless it repeats a stored deferment field for field (then it is that one, unchanged, whoever granted
 * it — sending a person back as read never counts as a change). An operator's are stored as given (no
 * grantor means "the register").
 */
export function withGrantor(actor: Actor, deferments: readonly Deferment[], stored: readonly Deferment[] = []): Deferment[] {
  if (actor.office === undefined) return [...deferments];
  const unused = [...stored];
  const sansGrantor = ({ grantedBy: _g, ...rest }: Deferment) => canonicalJson(rest);
  return deferments.map((d) => {
    if (d.grantedBy !== undefined) return d;
    const i = unused.findIndex((s) => sansGrantor(s) === sansGrantor(d));
    if (i >= 0) return unused.splice(i, 1)[0]!;
    return { ...d, grantedBy: actor.office! };
  });
}

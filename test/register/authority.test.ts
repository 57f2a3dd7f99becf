/**
 * The authority policy (src/register/authority.ts) as a table: who changes what about whom, and what
 * the answer says. Pure: no store, no HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type Actor, checkPersonChange, DEFAULT_GRANTS, type GrantTable, grantTableSchema, withGrantor } from '../../src/register/authority.js';
import type { Deferment, Person, Restriction } from '../../src/domain/types.js';

const A: Actor = { name: 'office:a@MO-A', office: 'MO-A' };
const B: Actor = { name: 'office:b@MO-B', office: 'MO-B' };
const OPERATOR: Actor = { name: 'operator:root' };

const base: Person = {
  personId: 'P-1',
  surname: 'Иванов',
  givenNames: 'Юрий',
  dateOfBirth: '1999-03-04',
  documents: [{ type: 'passport', number: '751234567', country: 'RUS' }],
  deferments: [],
};
const callUpOf = (office: string, extra: Partial<Restriction> = {}): Restriction => ({
  restrictionId: `CU-${office}`,
  personId: 'P-1',
  kind: 'call-up',
  basis: 'b',
  office,
  issuedAt: '2024-10-01T00:00:00.000Z',
  servedAt: '2024-10-02T00:00:00.000Z',
  serviceChannel: 'post',
  ...extra,
});
const student = (grantedBy?: string, extra: Partial<Deferment> = {}): Deferment => ({
  category: 'student',
  validFrom: '2024-09-01',
  validTo: '2029-06-30',
  ...(grantedBy ? { grantedBy } : {}),
  basis: 'Federal Law 53-FZ art. 24',
  ...extra,
});
const renamed: Person = { ...base, surname: 'Петров' };
const withDeferment = (...d: Deferment[]): Person => ({ ...base, deferments: d });

const courtsRelieveAll: GrantTable = grantTableSchema.parse({
  grants: [
    { grantor: 'MO-*', kinds: ['deferment'], categories: ['student', 'family'] },
    { grantor: 'MED-1', kinds: ['exemption'], categories: ['health'], relieves: ['*'] },
    { grantor: 'MO-B', kinds: ['deferment'], categories: ['student'], relieves: ['MO-A'] },
  ],
});

interface Case {
  name: string;
  actor: Actor;
  before: Person | undefined;
  after: Person;
  restrictions?: Restriction[];
  table?: GrantTable;
  /** null: allowed; else the status and a pattern the message must match. */
  refused: null | [number, RegExp, string?];
}

const cases: Case[] = [
  { name: 'an operator rewrites anyone', actor: OPERATOR, before: base, after: renamed, restrictions: [callUpOf('MO-A')], refused: null },
  { name: 'an office creates a person', actor: B, before: undefined, after: base, refused: null },
  { name: 'an office renames a person with no restriction', actor: B, before: base, after: renamed, refused: null },
  { name: 'an office renames a person holding only its own restriction', actor: A, before: base, after: renamed, restrictions: [callUpOf('MO-A')], refused: null },
  {
    name: "another office may not rename a person holding A's open restriction",
    actor: B,
    before: base,
    after: renamed,
    restrictions: [callUpOf('MO-A')],
    refused: [403, /office MO-B may not change the surname of person P-1, who holds an open call-up CU-MO-A of office MO-A; an operator or office MO-A must make this change/, 'surname'],
  },
  {
    name: 'nor change their date of birth or documents',
    actor: B,
    before: base,
    after: { ...base, dateOfBirth: '1999-03-05', documents: [] },
    restrictions: [callUpOf('MO-A')],
    refused: [403, /may not change the date of birth and documents/, 'dateOfBirth'],
  },
  {
    name: 'an unserved (issued) restriction is open too',
    actor: B,
    before: base,
    after: renamed,
    restrictions: [callUpOf('MO-A', { servedAt: undefined, serviceChannel: undefined })],
    refused: [403, /office MO-A/],
  },
  { name: "a lifted restriction of A does not hold B back", actor: B, before: base, after: renamed, restrictions: [callUpOf('MO-A', { liftedAt: '2024-11-01T00:00:00.000Z', liftReason: 'cancellation' })], refused: null },
  {
    name: 'two other offices: only an operator',
    actor: B,
    before: base,
    after: renamed,
    restrictions: [callUpOf('MO-A'), callUpOf('MO-C')],
    refused: [403, /an operator must make this change/],
  },
  {
    name: "an office may not rename the holder of another office's deferment (it would move the relief)",
    actor: B,
    before: withDeferment(student('MO-A')),
    after: { ...withDeferment(student('MO-A')), surname: 'Петров' },
    refused: [403, /holds a student deferment \(2024-09-01 to 2029-06-30\) granted by office MO-A/],
  },
  {
    name: 'a court order of A also holds B back from the identity',
    actor: B,
    before: base,
    after: renamed,
    restrictions: [callUpOf('MO-A', { kind: 'court-order' })],
    refused: [403, /court-order/],
  },
  { name: 'an office grants a deferment to a person with no call-up', actor: B, before: base, after: withDeferment(student('MO-B')), refused: null },
  { name: 'an office grants a deferment over its own call-up', actor: A, before: base, after: withDeferment(student('MO-A')), restrictions: [callUpOf('MO-A')], refused: null },
  {
    name: "an office may not relieve another office's call-up (default table)",
    actor: B,
    before: base,
    after: withDeferment(student('MO-B')),
    restrictions: [callUpOf('MO-A')],
    refused: [403, /would clear call-up CU-MO-A of office MO-A at the border, and the grant table does not let office MO-B relieve call-ups of office MO-A; an operator or office MO-A must grant it/, 'deferments.0'],
  },
  { name: "a court order is not relieved by a deferment, so it does not block one", actor: B, before: base, after: withDeferment(student('MO-B')), restrictions: [callUpOf('MO-A', { kind: 'court-order' })], refused: null },
  {
    name: 'an office grants only in its own name',
    actor: B,
    before: base,
    after: withDeferment(student('MO-A')),
    refused: [403, /only in its own name, not as office MO-A/, 'deferments.0.grantedBy'],
  },
  { name: 'an office grant needs a basis', actor: B, before: base, after: withDeferment(student('MO-B', { basis: undefined })), refused: [400, /basis: is required/, 'deferments.0.basis'] },
  {
    name: "an office may not remove another office's deferment",
    actor: B,
    before: withDeferment(student('MO-A')),
    after: base,
    refused: [403, /may not remove or change the student deferment .* granted by office MO-A; an operator or office MO-A/],
  },
  {
    name: 'nor change one (a change is a removal)',
    actor: B,
    before: withDeferment(student('MO-A')),
    after: withDeferment(student('MO-A', { validTo: '2030-06-30' })),
    refused: [403, /may not remove or change/],
  },
  { name: 'nor one granted by the register (operator)', actor: A, before: withDeferment(student()), after: base, refused: [403, /granted by the register; an operator must make this change/] },
  { name: 'an office changes its own deferment', actor: A, before: withDeferment(student('MO-A')), after: withDeferment(student('MO-A', { validTo: '2030-06-30' })), refused: null },
  { name: "an office leaves another's deferment as it is and adds its own", actor: B, before: withDeferment(student('MO-A')), after: withDeferment(student('MO-A'), student('MO-B', { category: 'family' })), refused: null },
  {
    name: 'a table with an explicit row lets B relieve A',
    actor: B,
    before: base,
    after: withDeferment(student('MO-B')),
    restrictions: [callUpOf('MO-A')],
    table: courtsRelieveAll,
    refused: null,
  },
  {
    name: '… for the categories of that row only',
    actor: B,
    before: base,
    after: withDeferment(student('MO-B', { category: 'family' })),
    restrictions: [callUpOf('MO-A')],
    table: courtsRelieveAll,
    refused: [403, /does not let office MO-B relieve/],
  },
  {
    name: 'a category outside the table is refused even without any call-up',
    actor: B,
    before: base,
    after: withDeferment(student('MO-B', { category: 'occupation' })),
    table: courtsRelieveAll,
    refused: [403, /may not grant occupation deferments: no row of the grant table allows it/],
  },
  {
    name: 'a medical board relieving everyone (relieves *) exempts for health',
    actor: { name: 'office:m@MED-1', office: 'MED-1' },
    before: base,
    after: withDeferment(student('MED-1', { kind: 'exemption', category: 'health' })),
    restrictions: [callUpOf('MO-A'), callUpOf('MO-C')],
    table: courtsRelieveAll,
    refused: null,
  },
  { name: 'an empty table: no office grants anything', actor: A, before: base, after: withDeferment(student('MO-A')), table: { grants: [] }, refused: [403, /no row of the grant table/] },
];

for (const c of cases) {
  test(`authority: ${c.name}`, () => {
    const refusal = checkPersonChange({ actor: c.actor, before: c.before, after: c.after, restrictions: c.restrictions ?? [], table: c.table ?? DEFAULT_GRANTS });
    if (c.refused === null) return assert.equal(refusal, null, refusal?.message);
    assert.ok(refusal, 'refused');
    assert.equal(refusal.status, c.refused[0]);
    assert.match(refusal.message, c.refused[1]);
    if (c.refused[2]) assert.equal(refusal.field, c.refused[2]);
  });
}

test('authority: an office grant without a grantor is made in its name; one sent back as read stays what it was', () => {
  const stored = [student('MO-A'), student(undefined, { category: 'health' })];
  const sentBack = stored.map(({ grantedBy: _g, ...d }) => d);
  assert.deepEqual(withGrantor(B, sentBack, stored), stored, 'repeating stored deferments is no change');
  assert.deepEqual(withGrantor(B, [student(undefined, { category: 'family' })], stored)[0]!.grantedBy, 'MO-B');
  assert.deepEqual(withGrantor(OPERATOR, [student()], []), [student()], 'an operator’s grant is stored as given');
});

test('authority: a grant table file is checked field by field', () => {
  assert.equal(grantTableSchema.safeParse({ grants: [{ grantor: 'MO-*', kinds: ['deferment'], categories: ['student'] }] }).success, true);
  const bad = grantTableSchema.safeParse({ grants: [{ grantor: 'M O', kinds: [], categories: ['student'] }] });
  assert.equal(bad.success, false);
  assert.deepEqual(bad.error!.issues[0]!.path, ['grants', 0, 'grantor']);
});

/**
 * border/decisionValidUntil.ts: until when a decision stands while only the clock moves. One table: each
 * row is a screening's evidence (at a checkpoint in Moscow unless it says otherwise) and a horizon (the
 * departure), and the instant expected — or null when nothing time-bound lies before the horizon. Each
 * row is also checked against decide.ts itself: the decision is the same at every 20 minutes from the
 * screening up to the instant (the function never answers late), and, for the rows marked so, it is
 * different at the instant from a minute before (the instant is the change itself, not merely early).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decisionValidUntil } from '../../src/border/decisionValidUntil.js';
import { decide, type ScreeningEvidence } from '../../src/border/decide.js';
import type { CategoryRule } from '../../src/domain/rules.js';
import type { BorderPerson, BorderRestriction } from '../../src/exchange/protocol.js';
import type { PersonMatch } from '../../src/matching/index.js';
import { callUp, listedPerson as person, MOBILISATION, student } from './decisionFixtures.js';

const AT = '2026-06-01T09:00:00.000Z';
const DEPARTURE = '2026-06-04T09:00:00.000Z';

const match = (personId = 'P-1'): PersonMatch => ({ personId, score: 0.97, matchedOn: ['name', 'dateOfBirth', 'documentNumber'], features: [], detail: `matched ${personId}` });

/** The matched person P-1 with these restrictions and deferments. */
const listed = (restrictions: BorderRestriction[], deferments: BorderPerson['deferments'] = []): Partial<ScreeningEvidence> => ({
  matches: [match()],
  restrictions,
  persons: new Map([['P-1', person(deferments)]]),
});
/** A man holding a Russian passport born on `dateOfBirth`, under the mobilisation rule (18–60). */
const manBorn = (dateOfBirth: string, rule: Partial<CategoryRule> = {}): Partial<ScreeningEvidence> => ({
  traveller: { surname: 'PETROV', givenNames: 'PETR', dateOfBirth, sex: 'M', nationality: 'RUS', documentNumber: '750000001' },
  rules: [{ ...MOBILISATION, ...rule }],
});

function evidence(over: Partial<ScreeningEvidence> & { at?: Date }): ScreeningEvidence {
  return {
    traveller: { surname: 'SMITH', givenNames: 'ANNA', dateOfBirth: '1990-01-01', nationality: 'GBR', documentNumber: 'GB1234567' },
    matches: [],
    restrictions: [],
    persons: new Map(),
    rules: [],
    hitThreshold: 0.9,
    at: new Date(AT),
    timeZone: 'Europe/Moscow',
    lagSeconds: 0,
    maxStalenessSeconds: 900,
    ...over,
  };
}

interface Row {
  name: string;
  input: Partial<ScreeningEvidence>;
  departure?: string;
  expected: string | null;
  /** The decision differs at the instant from a minute before it. */
  changes?: boolean;
}

const rows: Row[] = [
  { name: 'nothing time-dependent: no match, no rule', input: {}, expected: null },
  { name: 'a restriction in force long since, with no end', input: listed([callUp()]), expected: null },
  { name: 'a restriction coming into force before departure', input: listed([callUp({ inForceFrom: '2026-06-02T12:00:00Z' })]), expected: '2026-06-02T12:00:00.000Z', changes: true },
  { name: 'a restriction coming into force only after departure', input: listed([callUp({ inForceFrom: '2026-06-05T00:00:00Z' })]), expected: null },
  { name: 'a restriction coming into force exactly at departure (the manifest is no longer live then)', input: listed([callUp({ inForceFrom: DEPARTURE })]), expected: null },
  { name: 'a lift dated at a time before departure', input: listed([callUp({ liftedAt: '2026-06-03T06:30:00Z' })]), expected: '2026-06-03T06:30:00.000Z', changes: true },
  { name: 'an expiry before departure', input: listed([callUp({ expiresAt: '2026-06-02T15:00:00Z' })]), expected: '2026-06-02T15:00:00.000Z', changes: true },
  { name: 'the earliest of several', input: listed([callUp({ inForceFrom: '2026-06-03T00:00:00Z' }), callUp({ restrictionId: 'CU-2', expiresAt: '2026-06-02T15:00:00Z' })]), expected: '2026-06-02T15:00:00.000Z' },
  { name: 'instants already past are not boundaries', input: listed([callUp({ inForceFrom: '2026-05-01T00:00:00Z', liftedAt: '2026-05-20T00:00:00Z' })]), expected: null },
  { name: "a person not matched: that person's restriction is no boundary", input: { ...listed([callUp({ personId: 'P-9', inForceFrom: '2026-06-02T12:00:00Z' })]) }, expected: null },
  {
    name: 'a deferment ending: the next day begins in Moscow first (the rules read that day)',
    input: listed([callUp()], [student('2025-09-01', '2026-06-02')]),
    expected: '2026-06-02T21:00:00.000Z',
  },
  {
    name: 'a deferment ending, screened again then: the next day begins in UTC (S2 reads that day), and the call-up counts again',
    input: { ...listed([callUp()], [student('2025-09-01', '2026-06-02')]), at: new Date('2026-06-02T21:00:00Z') },
    expected: '2026-06-03T00:00:00.000Z',
    changes: true,
  },
  { name: 'a deferment ending, at a checkpoint on UTC', input: { ...listed([callUp()], [student('2025-09-01', '2026-06-02')]), timeZone: 'UTC' }, expected: '2026-06-03T00:00:00.000Z', changes: true },
  { name: 'a deferment starting', input: listed([callUp()], [student('2026-06-03', '2027-06-30')]), expected: '2026-06-02T21:00:00.000Z' },
  { name: 'a deferment of a person not matched is no boundary', input: { ...listed([]), persons: new Map([['P-1', person()], ['P-2', person([student('2026-06-03', '2027-06-30')], 'P-2')]]) }, expected: null },
  { name: 'a zone half an hour off the hour (Kolkata): the day begins at 18:30 UTC', input: { ...listed([callUp()], [student('2025-09-01', '2026-06-02')]), timeZone: 'Asia/Kolkata' }, expected: '2026-06-02T18:30:00.000Z' },
  { name: 'a zone west of UTC (New York): the UTC day begins first', input: { ...listed([callUp()], [student('2026-06-03', '2027-06-30')]), timeZone: 'America/New_York' }, expected: '2026-06-03T00:00:00.000Z' },
  { name: 'rule: a man turning 18 before departure comes into its scope at the day he does', input: manBorn('2008-06-03'), expected: '2026-06-02T21:00:00.000Z', changes: true },
  { name: 'rule: a man turning 61 leaves its scope', input: manBorn('1965-06-02'), expected: '2026-06-01T21:00:00.000Z', changes: true },
  { name: 'rule: a birthday that crosses no age limit is no boundary', input: manBorn('1990-06-02'), expected: null },
  { name: 'rule: a birth month only (2008-06): the youngest he can be turns 18 on the 30th', input: manBorn('2008-06'), departure: '2026-07-02T00:00:00.000Z', expected: '2026-06-29T21:00:00.000Z', changes: true },
  {
    name: 'rule: born on 29 February, 18 on 28 February in a common year (the rule of art. 192)',
    input: { ...manBorn('2008-02-29'), at: new Date('2026-02-27T09:00:00Z') },
    departure: '2026-03-03T00:00:00.000Z',
    expected: '2026-02-27T21:00:00.000Z',
    changes: true,
  },
  {
    name: 'rule: born on 29 February, 18 on 1 March where the rule says so',
    input: { ...manBorn('2008-02-29', { leapDayBirthday: 'mar-1' }), at: new Date('2026-02-27T09:00:00Z') },
    departure: '2026-03-03T00:00:00.000Z',
    expected: '2026-02-28T21:00:00.000Z',
    changes: true,
  },
  {
    name: 'rule: a birthday on the night clocks go forward (Berlin) begins at 23:00 UTC the day before',
    input: { ...manBorn('2008-03-29'), at: new Date('2026-03-27T09:00:00Z'), timeZone: 'Europe/Berlin' },
    departure: '2026-03-31T00:00:00.000Z',
    expected: '2026-03-28T23:00:00.000Z',
    changes: true,
  },
  { name: 'rule: coming into force the day after tomorrow', input: manBorn('1990-01-01', { validFrom: '2026-06-03' }), expected: '2026-06-02T21:00:00.000Z', changes: true },
  { name: 'rule: its last day tomorrow', input: manBorn('1990-01-01', { validTo: '2026-06-02' }), expected: '2026-06-02T21:00:00.000Z', changes: true },
  { name: 'rule: revoked at a set time', input: manBorn('1990-01-01', { revokedAt: '2026-06-02T05:00:00Z' }), expected: '2026-06-02T05:00:00.000Z', changes: true },
  { name: 'rule: no date of birth, no age boundary', input: { ...manBorn('1990-01-01'), traveller: { surname: 'PETROV', sex: 'M', nationality: 'RUS' } }, expected: null },
  { name: 'the new year (UTC): the matcher reads birth years up to the current one', input: { at: new Date('2026-12-30T12:00:00Z') }, departure: '2027-01-03T00:00:00.000Z', expected: '2027-01-01T00:00:00.000Z' },
];

for (const row of rows) {
  test(`decision valid until: ${row.name}`, () => {
    const e = evidence(row.input);
    const horizon = new Date(row.departure ?? DEPARTURE);
    const until = decisionValidUntil(e, horizon);
    assert.equal(until?.toISOString() ?? null, row.expected);
    const end = until ?? horizon;
    const decisionNow = decide(e).decision;
    for (let t = e.at.getTime(); t < end.getTime(); t += 20 * 60_000) {
      assert.equal(decide({ ...e, at: new Date(t) }).decision, decisionNow, `the decision stands at ${new Date(t).toISOString()}`);
    }
    if (row.changes) {
      assert.ok(until, 'a boundary');
      const before = decide({ ...e, at: new Date(until.getTime() - 60_000) }).decision;
      assert.notEqual(decide({ ...e, at: until }).decision, before, 'the decision changes at the boundary');
    }
  });
}

/** A small seeded generator, so a failing case can be replayed. */
function random(seed: number) {
  let s = seed;
  const next = () => ((s = (s * 1103515245 + 12345) % 2147483648) / 2147483648);
  return { next, pick: <T>(a: readonly T[]) => a[Math.floor(next() * a.length)]!, chance: (p: number) => next() < p };
}

test('decision valid until, over 300 random situations: the decision never changes before the instant, and a screening at the instant finds the next', () => {
  const zones = ['UTC', 'Europe/Moscow', 'Asia/Kolkata', 'America/New_York', 'Europe/Berlin', 'Pacific/Chatham', 'Asia/Kathmandu'] as const;
  const start = Date.parse('2026-03-27T00:00:00Z');
  for (let seed = 1; seed <= 300; seed++) {
    const r = random(seed);
    const at = new Date(start + Math.floor(r.next() * 10 * 86_400_000));
    const horizon = new Date(at.getTime() + Math.floor((0.2 + r.next() * 3) * 86_400_000));
    // Instants and dates around the window, on the hour or at odd minutes.
    const instant = () => new Date(at.getTime() + Math.floor((r.next() * 5 - 1) * 86_400_000 / 60_000) * 60_000).toISOString();
    const date = () => instant().slice(0, 10);
    const restrictions: BorderRestriction[] = [];
    for (let i = 0; i < Math.floor(r.next() * 3); i++) {
      restrictions.push(callUp({
        restrictionId: `CU-${i}`,
        kind: r.pick(['call-up', 'court-order'] as const),
        inForceFrom: r.chance(0.5) ? instant() : '2026-01-01T00:00:00Z',
        ...(r.chance(0.3) ? { liftedAt: instant() } : {}),
        ...(r.chance(0.3) ? { expiresAt: instant() } : {}),
      }));
    }
    const deferments = r.chance(0.5) ? [{ kind: 'deferment' as const, category: r.pick(['student', 'family'] as const), validFrom: r.chance(0.5) ? date() : '2025-01-01', validTo: r.chance(0.6) ? date() : '2030-01-01' }] : [];
    // A birthday near the window, at an age near a limit of the rule (18 or 61), or a partial date.
    const birthday = date();
    const age = r.pick([18, 61, 30]);
    const dob = `${Number(birthday.slice(0, 4)) - age}${birthday.slice(4)}`;
    const dateOfBirth = r.pick([dob, dob.slice(0, 7), dob.slice(0, 4)]);
    const e = evidence({
      at,
      timeZone: r.pick(zones),
      traveller: { surname: 'PETROV', givenNames: 'PETR', dateOfBirth, sex: r.pick(['M', 'F', undefined]), nationality: 'RUS', documentNumber: '751234567' },
      ...(r.chance(0.7) ? { matches: [{ ...match(), score: r.pick([0.95, 0.85]) }], restrictions, persons: new Map([['P-1', person(deferments)]]) } : {}),
      rules: r.chance(0.6) ? [{ ...MOBILISATION, validFrom: r.chance(0.3) ? date() : '2026-01-01', ...(r.chance(0.3) ? { validTo: date() } : {}), ...(r.chance(0.2) ? { revokedAt: instant() } : {}) }] : [],
    });
    let from = e;
    for (let step = 0; step < 20; step++) {
      const until = decisionValidUntil(from, horizon);
      const end = (until ?? horizon).getTime();
      const decision = decide(from).decision;
      for (let t = from.at.getTime(); t < end; t += 10 * 60_000) {
        assert.equal(decide({ ...from, at: new Date(t) }).decision, decision, `seed ${seed}: the decision stands at ${new Date(t).toISOString()} (screened at ${from.at.toISOString()}, valid until ${until?.toISOString()})`);
      }
      // The minute before the instant, too (the sweep's steps may straddle it).
      if (end - 60_000 > from.at.getTime()) assert.equal(decide({ ...from, at: new Date(end - 60_000) }).decision, decision, `seed ${seed}: a minute before ${new Date(end).toISOString()}`);
      if (!until) break;
      assert.ok(until.getTime() > from.at.getTime(), `seed ${seed}: the instant is after the screening`);
      from = { ...from, at: until };
    }
  }
});

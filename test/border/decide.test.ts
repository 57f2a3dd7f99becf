/**
 * border/decide.ts: the screening decision as a pure function, one table per rule (S1–S8). Each row is
 * a situation at the border — the matches, the matched person's restrictions and relief, the rules, the
 * replica's lag — and the decision with the status (or kind) of every reason, in the order given.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BorderPerson, BorderRestriction } from '../../src/exchange/protocol.js';
import type { PersonMatch } from '../../src/matching/index.js';
import { type Decided, decide, decideDamaged, restrictionStatus, type ScreeningEvidence } from '../../src/border/decide.js';
import type { Decision } from '../../src/border/decision.js';
import type { ScreeningReason } from '../../src/border/reasons.js';
import { auditedReason, screeningAuditEntry } from '../../src/border/screeningAudit.js';
import { callUp, listedPerson as holder, MOBILISATION, student } from './decisionFixtures.js';
import { type BorderAttestation, presentedDetailsHash, type PresentedDetails } from '../../src/exchange/attestation.js';

const AT = new Date('2026-06-01T09:00:00Z');
const HIT = 0.9;

const match = (score: number, personId = 'P-1'): PersonMatch => ({ personId, score, matchedOn: ['name', 'dateOfBirth'], features: [], detail: `matched ${personId}` });

/** A strongly matched person with one call-up in force, no rules, a fresh replica: a hit. */
function evidence(over: Partial<ScreeningEvidence> = {}): ScreeningEvidence {
  return {
    traveller: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05' },
    matches: [match(0.95)],
    restrictions: [callUp()],
    persons: new Map([['P-1', holder()]]),
    rules: [],
    hitThreshold: HIT,
    at: AT,
    timeZone: 'UTC',
    lagSeconds: 0,
    maxStalenessSeconds: 900,
    ...over,
  };
}

const statusOf = (r: ScreeningReason): string => ('status' in r ? r.status : r.kind);

interface Row {
  name: string;
  input: Partial<ScreeningEvidence>;
  decision: Decision;
  /** The status (list, rule) or kind (stale, damaged) of each reason, in order. */
  reasons: string[];
  check?: (d: Decided) => void;
}

function table(rule: string, rows: Row[]): void {
  for (const row of rows) {
    test(`${rule}: ${row.name}`, () => {
      const decided = decide(evidence(row.input));
      assert.equal(decided.decision, row.decision);
      assert.deepEqual(decided.reasons.map(statusOf), row.reasons);
      row.check?.(decided);
    });
  }
}

table('S1 a restriction counts only while in force', [
  { name: 'served, in force since before the crossing: hit', input: {}, decision: 'hit', reasons: ['in-force'] },
  { name: 'comes into force exactly now: hit', input: { restrictions: [callUp({ inForceFrom: AT.toISOString() })] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'comes into force tomorrow: clear, and said so', input: { restrictions: [callUp({ inForceFrom: '2026-06-02T00:00:00Z' })] }, decision: 'clear', reasons: ['not-yet-in-force'], check: (d) => assert.match((d.reasons[0] as { detail: string }).detail, /comes into force 2026-06-02/) },
  { name: 'lifted before the crossing: clear, with the lift and its reason', input: { restrictions: [callUp({ liftedAt: '2026-05-01T00:00:00Z', liftReason: 'cancellation' })] }, decision: 'clear', reasons: ['lifted'], check: (d) => assert.match((d.reasons[0] as { detail: string }).detail, /lifted 2026-05-01T00:00:00Z \(cancellation\)/) },
  { name: 'lifted exactly now: clear', input: { restrictions: [callUp({ liftedAt: AT.toISOString() })] }, decision: 'clear', reasons: ['lifted'] },
  { name: 'a lift dated after the crossing does not count yet: hit', input: { restrictions: [callUp({ liftedAt: '2026-06-02T00:00:00Z' })] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'expired before the crossing: clear', input: { restrictions: [callUp({ expiresAt: '2026-05-31T00:00:00Z' })] }, decision: 'clear', reasons: ['expired'] },
  { name: 'expiring after the crossing: hit, the expiry given', input: { restrictions: [callUp({ expiresAt: '2026-07-01T00:00:00Z' })] }, decision: 'hit', reasons: ['in-force'], check: (d) => assert.equal((d.reasons[0] as { expiresAt?: string }).expiresAt, '2026-07-01T00:00:00Z') },
  { name: 'a matched person with no restriction: clear, no reason', input: { restrictions: [] }, decision: 'clear', reasons: [] },
  { name: 'a restriction of a person not matched is ignored', input: { restrictions: [callUp({ personId: 'P-9' })] }, decision: 'clear', reasons: [] },
]);

table('S2 a valid deferment suspends a call-up, and is the reason', [
  { name: 'deferment valid today: clear, the deferment named', input: { persons: new Map([['P-1', holder([student('2025-09-01', '2027-06-30')])]]) }, decision: 'clear', reasons: ['deferred'], check: (d) => assert.match((d.reasons[0] as { detail: string }).detail, /deferment student until 2027-06-30$/) },
  { name: 'deferment ending today (inclusive): clear', input: { persons: new Map([['P-1', holder([student('2025-09-01', '2026-06-01')])]]) }, decision: 'clear', reasons: ['deferred'] },
  { name: 'deferment ended yesterday: hit', input: { persons: new Map([['P-1', holder([student('2025-09-01', '2026-05-31')])]]) }, decision: 'hit', reasons: ['in-force'] },
  { name: 'deferment starting tomorrow: hit', input: { persons: new Map([['P-1', holder([student('2026-06-02', '2027-06-30')])]]) }, decision: 'hit', reasons: ['in-force'] },
  { name: 'an exemption is named as such', input: { persons: new Map([['P-1', holder([{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: '2030-01-01' }])]]) }, decision: 'clear', reasons: ['deferred'], check: (d) => assert.match((d.reasons[0] as { detail: string }).detail, /exemption health until 2030-01-01$/) },
  { name: 'a court order is not suspended by a deferment: hit', input: { restrictions: [callUp({ kind: 'court-order' })], persons: new Map([['P-1', holder([student('2025-09-01', '2027-06-30')])]]) }, decision: 'hit', reasons: ['in-force'] },
  { name: 'a lifted call-up stays lifted, whatever the deferment', input: { restrictions: [callUp({ liftedAt: '2026-05-01T00:00:00Z' })], persons: new Map([['P-1', holder([student('2025-09-01', '2027-06-30')])]]) }, decision: 'clear', reasons: ['lifted'] },
]);

table('S3 hit on a strong match, refer on a possible one, clear otherwise', [
  { name: 'score above the hit threshold: hit', input: {}, decision: 'hit', reasons: ['in-force'] },
  { name: 'score exactly at the hit threshold: hit', input: { matches: [match(HIT)] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'score just below it: refer', input: { matches: [match(0.89)] }, decision: 'refer', reasons: ['in-force'] },
  { name: 'the score is compared rounded to three decimals, as shown', input: { matches: [match(0.8996)] }, decision: 'hit', reasons: ['in-force'], check: (d) => assert.equal((d.reasons[0] as { score: number }).score, 0.9) },
  { name: 'no match: clear', input: { matches: [], restrictions: [], persons: new Map() }, decision: 'clear', reasons: [] },
  {
    name: 'a strong match lifted and a possible match in force: refer, the one in force first',
    input: { matches: [match(0.95), match(0.8, 'P-2')], restrictions: [callUp({ liftedAt: '2026-05-01T00:00:00Z' }), callUp({ restrictionId: 'CU-2', personId: 'P-2' })], persons: new Map([['P-1', holder()], ['P-2', holder([], 'P-2')]]) },
    decision: 'refer',
    reasons: ['in-force', 'lifted'],
  },
  {
    name: 'two in force: hit, the stronger match first',
    input: { matches: [match(0.8, 'P-2'), match(0.97)], restrictions: [callUp({ restrictionId: 'CU-2', personId: 'P-2' }), callUp()], persons: new Map([['P-1', holder()], ['P-2', holder([], 'P-2')]]) },
    decision: 'hit',
    reasons: ['in-force', 'in-force'],
    check: (d) => assert.deepEqual(d.reasons.map((r) => (r as { personId: string }).personId), ['P-1', 'P-2']),
  },
  {
    name: 'reasons in force, then deferred, not yet in force, expired, lifted',
    input: {
      restrictions: [
        callUp({ restrictionId: 'L', liftedAt: '2026-05-01T00:00:00Z' }),
        callUp({ restrictionId: 'E', kind: 'other', expiresAt: '2026-05-01T00:00:00Z' }),
        callUp({ restrictionId: 'N', kind: 'other', inForceFrom: '2026-07-01T00:00:00Z' }),
        callUp({ restrictionId: 'D' }),
        callUp({ restrictionId: 'F', kind: 'court-order' }),
      ],
      persons: new Map([['P-1', holder([student('2025-09-01', '2027-06-30')])]]),
    },
    decision: 'hit',
    reasons: ['in-force', 'deferred', 'not-yet-in-force', 'expired', 'lifted'],
  },
]);

table('S5 a stale replica never answers clear', [
  { name: 'clear on fresh data stands', input: { restrictions: [] }, decision: 'clear', reasons: [] },
  { name: 'clear at exactly the bound stands', input: { restrictions: [], lagSeconds: 900 }, decision: 'clear', reasons: [] },
  {
    name: 'clear beyond the bound becomes refer, the stale reason first',
    input: { restrictions: [callUp({ liftedAt: '2026-05-01T00:00:00Z' })], lagSeconds: 901 },
    decision: 'refer',
    reasons: ['replica-data-too-old', 'lifted'],
    check: (d) => {
      assert.deepEqual(d.reasons[0], { kind: 'replica-data-too-old', detail: 'replica data too old: last in step with the register 901 s ago (bound 900 s); a ban issued since may be missing', lagSeconds: 901, maxStalenessSeconds: 900 });
    },
  },
  { name: 'an unknown lag is stale', input: { restrictions: [], lagSeconds: null }, decision: 'refer', reasons: ['replica-data-too-old'], check: (d) => assert.match((d.reasons[0] as { detail: string }).detail, /\? s ago/) },
  { name: 'a hit stands however stale (a missed lift only makes the replica stricter)', input: { lagSeconds: 100_000 }, decision: 'hit', reasons: ['in-force'] },
  { name: 'a refer stands, without a stale reason', input: { matches: [match(0.8)], lagSeconds: 100_000 }, decision: 'refer', reasons: ['in-force'] },
  { name: 'the bound is the caller\'s', input: { restrictions: [], lagSeconds: 3, maxStalenessSeconds: 2 }, decision: 'refer', reasons: ['replica-data-too-old'] },
]);

const man = (dateOfBirth: string, more: object = {}) => ({ surname: 'KUZNETSOV', givenNames: 'ANTON', dateOfBirth, nationality: 'RUS', sex: 'M', ...more });
const noList = { matches: [], restrictions: [], persons: new Map() };

table('S6 category-wide rules beside the list: the stricter decision, both reasons', [
  { name: 'a man in scope, not on the list: hit by the rule', input: { ...noList, rules: [MOBILISATION], traveller: man('1990-02-03') }, decision: 'hit', reasons: ['in-scope'], check: (d) => assert.equal((d.reasons[0] as { source: string }).source, 'rule') },
  { name: 'a woman: out of scope, clear, no reason', input: { ...noList, rules: [MOBILISATION], traveller: man('1990-02-03', { sex: 'F' }) }, decision: 'clear', reasons: [] },
  { name: 'sex unspecified: refer, never a guess', input: { ...noList, rules: [MOBILISATION], traveller: man('1990-02-03', { sex: 'X' }) }, decision: 'refer', reasons: ['scope-unclear'] },
  { name: 'a rule not yet valid on the crossing date: clear', input: { ...noList, rules: [{ ...MOBILISATION, validFrom: '2026-06-02' }], traveller: man('1990-02-03') }, decision: 'clear', reasons: [] },
  {
    name: 'a list hit beside an exemption from the rule: hit, the list reason first',
    input: { rules: [MOBILISATION], traveller: man('1990-05-05'), matches: [match(0.95)], restrictions: [callUp({ kind: 'court-order' })], persons: new Map([['P-1', holder([{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: '2030-01-01' }])]]) },
    decision: 'hit',
    reasons: ['in-force', 'exempt'],
  },
  {
    name: 'a lifted restriction beside a rule hit: hit, the rule reason first',
    input: { rules: [MOBILISATION], traveller: man('1990-05-05'), restrictions: [callUp({ liftedAt: '2026-05-01T00:00:00Z' })] },
    decision: 'hit',
    reasons: ['in-scope', 'lifted'],
  },
  {
    name: 'a possible list match beside a rule hit: hit, rule then list',
    input: { rules: [MOBILISATION], traveller: man('1990-05-05'), matches: [match(0.8)] },
    decision: 'hit',
    reasons: ['in-scope', 'in-force'],
  },
  {
    name: 'a possible match holding an exempting deferment, in scope: refer (exemption unconfirmed)',
    input: { rules: [MOBILISATION], traveller: man('1990-05-05'), matches: [match(0.8)], restrictions: [], persons: new Map([['P-1', holder([student('2025-09-01', '2027-06-30')])]]) },
    decision: 'refer',
    reasons: ['exemption-unconfirmed'],
  },
  {
    name: 'the crossing date is the checkpoint\'s: 18 today in Vladivostok, still 17 in UTC',
    input: { ...noList, rules: [MOBILISATION], traveller: man('2008-06-02'), at: new Date('2026-06-01T20:00:00Z'), timeZone: 'Asia/Vladivostok' },
    decision: 'hit',
    reasons: ['in-scope'],
    check: (d) => assert.equal(d.crossingDate, '2026-06-02'),
  },
  { name: 'the same instant in UTC: out of scope, clear', input: { ...noList, rules: [MOBILISATION], traveller: man('2008-06-02'), at: new Date('2026-06-01T20:00:00Z'), timeZone: 'UTC' }, decision: 'clear', reasons: [], check: (d) => assert.equal(d.crossingDate, '2026-06-01') },
  { name: 'a rule clear on stale data becomes refer like any clear', input: { ...noList, rules: [MOBILISATION], traveller: man('1990-02-03', { sex: 'F' }), lagSeconds: 5_000 }, decision: 'refer', reasons: ['replica-data-too-old'] },
]);

/** The namesake as read at the checkpoint: same name and date of birth as P-1, another passport. */
const NAMESAKE = { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05', documentNumber: 'K1234567', documentCountry: 'KAZ' };
const detailsOf = (t: typeof NAMESAKE): PresentedDetails => ({ documentNumber: t.documentNumber, documentCountry: t.documentCountry, dateOfBirth: t.dateOfBirth, name: `${t.surname} ${t.givenNames}` });
const attestation = (t: typeof NAMESAKE, personIds = ['P-1'], ref = 'NM-2026-0000000001'): BorderAttestation => ({
  ref,
  personIds,
  salt: 'c2FsdHNhbHRzYWx0c2FsdA==',
  detailsHash: presentedDetailsHash('c2FsdHNhbHRzYWx0c2FsdA==', detailsOf(t)),
  checkpoint: 'cp-north',
  attestedAt: '2026-05-20T10:00:00.000Z',
});

table('S8 a confirmed non-match clears the same traveller of that listed person only', [
  { name: 'the namesake with the attested details: clear, saying so', input: { traveller: NAMESAKE, attestations: [attestation(NAMESAKE)] }, decision: 'clear', reasons: ['confirmed-non-match'], check: (d) => {
    const r = d.reasons[0] as { detail: string; attestation?: { ref: string } };
    assert.match(r.detail, /confirmed not the listed person \(ref NM-2026-0000000001, cp-north, 2026-05-20\)/);
    assert.equal(r.attestation?.ref, 'NM-2026-0000000001');
  } },
  { name: 'case and MRZ filler in the name do not make another traveller', input: { traveller: { ...NAMESAKE, surname: 'ivanov<<', givenNames: 'iurii' }, attestations: [attestation(NAMESAKE)] }, decision: 'clear', reasons: ['confirmed-non-match'] },
  { name: 'another document number: the attestation does not apply', input: { traveller: { ...NAMESAKE, documentNumber: 'K7654321' }, attestations: [attestation(NAMESAKE)] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'another date of birth: does not apply', input: { traveller: { ...NAMESAKE, dateOfBirth: '1990-05-06' }, attestations: [attestation(NAMESAKE)] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'another issuing state: does not apply', input: { traveller: { ...NAMESAKE, documentCountry: 'UZB' }, attestations: [attestation(NAMESAKE)] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'the listed person\'s own document: ignored, even with a matching hash', input: { traveller: { ...NAMESAKE, documentNumber: '751234567', documentCountry: 'RUS' }, attestations: [attestation({ ...NAMESAKE, documentNumber: '751234567', documentCountry: 'RUS' })] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'an attestation about another listed person: P-1 still hits', input: { traveller: NAMESAKE, attestations: [attestation(NAMESAKE, ['P-9'])] }, decision: 'hit', reasons: ['in-force'] },
  {
    name: 'two listed persons matched, attested against one: the other still hits',
    input: {
      traveller: NAMESAKE,
      matches: [match(0.95), match(0.93, 'P-2')],
      restrictions: [callUp(), callUp({ restrictionId: 'CU-2', personId: 'P-2' })],
      persons: new Map([['P-1', holder()], ['P-2', { ...holder([], 'P-2'), documents: [{ type: 'passport', number: '759999999', country: 'RUS' }] }]]),
      attestations: [attestation(NAMESAKE)],
    },
    decision: 'hit',
    reasons: ['in-force', 'confirmed-non-match'],
  },
  { name: 'a category-wide rule still applies to the attested traveller', input: { traveller: { ...NAMESAKE, sex: 'M', nationality: 'RUS' }, rules: [MOBILISATION], attestations: [attestation(NAMESAKE)] }, decision: 'hit', reasons: ['in-scope', 'confirmed-non-match'] },
  { name: 'a stale replica still refers an attested traveller (S5 first)', input: { traveller: NAMESAKE, attestations: [attestation(NAMESAKE)], lagSeconds: 5000 }, decision: 'refer', reasons: ['replica-data-too-old', 'confirmed-non-match'] },
  { name: 'without a document number read, no attestation can apply', input: { traveller: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05' }, attestations: [attestation(NAMESAKE)] }, decision: 'hit', reasons: ['in-force'] },
  { name: 'a lifted restriction keeps its own words', input: { traveller: NAMESAKE, restrictions: [callUp({ liftedAt: '2026-02-01T00:00:00Z' })], attestations: [attestation(NAMESAKE)] }, decision: 'clear', reasons: ['lifted'] },
]);

test('S7 a damaged replica refers everyone, saying why, on the checkpoint\'s date', () => {
  const rows: [damage: string, timeZone: string, crossingDate: string][] = [
    ['quick_check: page 12 is never used', 'UTC', '2026-06-01'],
    ['SQLITE_CORRUPT: database disk image is malformed', 'Pacific/Kiritimati', '2026-06-02'],
    ['unreadable', 'Asia/Vladivostok', '2026-06-02'],
  ];
  for (const [damage, timeZone, crossingDate] of rows) {
    const d = decideDamaged(damage, new Date('2026-06-01T20:00:00Z'), timeZone);
    assert.equal(d.decision, 'refer');
    assert.equal(d.crossingDate, crossingDate);
    assert.deepEqual(d.reasons.map(statusOf), ['replica-database-damaged']);
    assert.ok((d.reasons[0] as { detail: string }).detail.endsWith(`(${damage})`));
    assert.match((d.reasons[0] as { detail: string }).detail, /check the traveller by hand/);
  }
});

test('S1/S2 restrictionStatus alone: the words given for each status', () => {
  const rows: [BorderRestriction, BorderPerson['deferments'], string, string][] = [
    [callUp(), [], 'in-force', 'in force since 2026-01-10T00:00:00Z'],
    [callUp({ liftedAt: '2026-05-01T00:00:00Z' }), [], 'lifted', 'lifted 2026-05-01T00:00:00Z'],
    [callUp({ expiresAt: '2026-05-01T00:00:00Z' }), [], 'expired', 'expired 2026-05-01T00:00:00Z'],
    [callUp({ inForceFrom: '2026-07-01T00:00:00Z' }), [], 'not-yet-in-force', 'comes into force 2026-07-01T00:00:00Z'],
    [callUp(), [student('2025-09-01', '2027-06-30')], 'deferred', 'deferment student until 2027-06-30'],
  ];
  for (const [r, deferments, status, note] of rows) assert.deepEqual(restrictionStatus(r, holder(deferments), AT), { status, note });
  assert.equal(restrictionStatus(callUp(), undefined, AT).status, 'in-force', 'a person missing from the replica has no relief');
});

test('S4 the audit keeps each reason by its keys, and the whole traveller', () => {
  const listHit = decide(evidence()).reasons;
  const rule = decide(evidence({ rules: [MOBILISATION], traveller: man('1990-05-05'), matches: [match(0.95)], restrictions: [], persons: new Map([['P-1', holder([{ kind: 'exemption', category: 'health', validFrom: '2020-01-01', validTo: '2030-01-01' }])]]) })).reasons;
  const stale = decide(evidence({ restrictions: [], lagSeconds: 1_000 })).reasons;
  const damaged = decideDamaged('bad page', AT, 'UTC').reasons;
  assert.deepEqual(listHit.map(auditedReason), [{ restrictionId: 'CU-1', personId: 'P-1', status: 'in-force', score: 0.95 }]);
  assert.deepEqual(rule.map(auditedReason), [{ ruleId: 'R-MOB', ruleVersion: 1, status: 'exempt', personId: 'P-1' }]);
  assert.deepEqual(stale.map(auditedReason), [{ stale: true, lagSeconds: 1_000 }]);
  assert.deepEqual(damaged.map(auditedReason), [{ damaged: true }]);
  const traveller = { surname: 'IVANOV', givenNames: 'IURII' };
  assert.deepEqual(screeningAuditEntry({ screeningId: 'S-1', screenedAt: AT.toISOString(), traveller, decision: 'hit', reasons: listHit, replicaSeq: 42 }, 'gate-3@10.0.0.1'), {
    screeningId: 'S-1',
    at: AT.toISOString(),
    requester: 'gate-3@10.0.0.1',
    request: traveller,
    decision: 'hit',
    reasons: [{ restrictionId: 'CU-1', personId: 'P-1', status: 'in-force', score: 0.95 }],
    replicaSeq: 42,
  });
});

/** Category-wide rules at the border (ruleScreening.ts R1–R5), as a pure function: every boundary without a server. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CategoryRule } from '../../src/domain/rules.js';
import type { BorderPerson } from '../../src/exchange/protocol.js';
import type { PersonMatch } from '../../src/matching/index.js';
import { RULE_DECISION, type RuleScreeningInput, screenRules } from '../../src/border/ruleScreening.js';
import { mobilisationRule } from '../helpers.js';

const MOBILISATION: CategoryRule = { ...mobilisationRule({ ruleId: 'R-MOB-1' }), version: 2, versionAt: '2026-01-01T00:00:00.000Z' } as CategoryRule;

const holder = (deferments: BorderPerson['deferments']): BorderPerson => ({
  personId: 'E-1',
  surname: 'Иванов',
  givenNames: 'Юрий',
  dateOfBirth: '1990-05-05',
  documents: [{ type: 'passport', number: '751234567', country: 'RUS' }],
  deferments,
});
const match = (score: number): PersonMatch => ({ personId: 'E-1', score, matchedOn: ['documentNumber'], features: [], detail: '' });

function screen(over: Partial<RuleScreeningInput> & { deferments?: BorderPerson['deferments']; score?: number } = {}) {
  const deferments = over.deferments ?? [];
  const matched = over.score !== undefined;
  return screenRules({
    rules: [MOBILISATION],
    traveller: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05', sex: 'M', nationality: 'RUS', documentNumber: '751234567' },
    matches: matched ? [match(over.score!)] : [],
    persons: new Map(matched ? [['E-1', holder(deferments)]] : []),
    hitThreshold: 0.9,
    crossingDate: '2026-06-01',
    at: new Date('2026-06-01T09:00:00Z'),
    ...over,
  });
}

test('R5: a man of 36 holding a RUS passport and no exemption is in scope: hit, naming the rule and its version', () => {
  const [reason] = screen();
  assert.equal(reason!.status, 'in-scope');
  assert.equal(RULE_DECISION[reason!.status], 'hit');
  assert.deepEqual([reason!.ruleId, reason!.ruleVersion, reason!.basis, reason!.authority], ['R-MOB-1', 2, 'Decree 647, art. 3', 'Government']);
  assert.match(reason!.detail, /in scope of rule R-MOB-1 v2: nationality RUS is one of RUS; sex M.*; age 36 on 2026-06-01/);
});

test('R2: out of scope gives no reason at all (female, another nationality, too young)', () => {
  assert.deepEqual(screen({ traveller: { dateOfBirth: '1990-05-05', sex: 'F', nationality: 'RUS' } }), []);
  assert.deepEqual(screen({ traveller: { dateOfBirth: '1990-05-05', sex: 'M', nationality: 'KAZ' } }), []);
  assert.deepEqual(screen({ traveller: { dateOfBirth: '2008-06-02', sex: 'M', nationality: 'RUS' } }), [], 'turns 18 tomorrow');
});

test('R5: unknown sex or a partial date of birth on the boundary is refer, never a guess', () => {
  const [unknownSex] = screen({ traveller: { dateOfBirth: '1990-05-05', nationality: 'RUS' } });
  assert.equal(unknownSex!.status, 'scope-unclear');
  assert.match(unknownSex!.detail, /sex not given/);
  const [partial] = screen({ traveller: { dateOfBirth: '2008', sex: 'M', nationality: 'RUS' } });
  assert.equal(partial!.status, 'scope-unclear');
  assert.match(partial!.detail, /age 17–18 \(date of birth 2008 is partial\)/);
});

test('R1: a strongly identified holder of an exempting category is released; the exemption is the reason', () => {
  const [reason] = screen({ score: 0.98, deferments: [{ kind: 'exemption', category: 'health', validFrom: '2026-01-01', validTo: '2030-01-01' }] });
  assert.equal(reason!.status, 'exempt');
  assert.equal(RULE_DECISION.exempt, 'clear');
  assert.deepEqual(reason!.exemption, { personId: 'E-1', kind: 'exemption', category: 'health', validFrom: '2026-01-01', validTo: '2030-01-01', score: 0.98 });
  assert.match(reason!.detail, /exemption health until 2030-01-01 releases from rule R-MOB-1 v2/);
});

test('an exemption expiring at midnight: valid through its last day on the checkpoint calendar, not a day after', () => {
  const deferments = [{ category: 'student' as const, validFrom: '2025-09-01', validTo: '2026-06-01' }];
  assert.equal(screen({ score: 0.98, deferments, crossingDate: '2026-06-01' })[0]!.status, 'exempt', '23:59 on its last day');
  assert.equal(screen({ score: 0.98, deferments, crossingDate: '2026-06-02' })[0]!.status, 'in-scope', '00:00 the next day');
});

test('R1: with a document presented, a namesake born the same day holding another passport does not release (refer)', () => {
  const deferments = [{ kind: 'exemption' as const, category: 'health' as const, validFrom: '2026-01-01', validTo: '2030-01-01' }];
  const namesake: PersonMatch = { personId: 'E-1', score: 0.97, matchedOn: ['name', 'dateOfBirth'], features: [], detail: '' };
  const [reason] = screen({ score: 0.97, deferments, matches: [namesake] });
  assert.equal(reason!.status, 'exemption-unconfirmed', 'the officer checks the passport');
  const withoutDocument = screen({ score: 0.97, deferments, matches: [namesake], traveller: { surname: 'IVANOV', givenNames: 'IURII', dateOfBirth: '1990-05-05', sex: 'M', nationality: 'RUS' } });
  assert.equal(withoutDocument[0]!.status, 'exempt', 'no document presented: name and date of birth identify');
});

test('R3: only a possible identification of an exemption holder is refer (the officer confirms who it is)', () => {
  const [reason] = screen({ score: 0.8, deferments: [{ category: 'student', validFrom: '2025-09-01', validTo: '2027-06-30' }] });
  assert.equal(reason!.status, 'exemption-unconfirmed');
  assert.equal(RULE_DECISION[reason!.status], 'refer');
});

test('R4: a valid deferment of a category the rule does not exempt is refer, never a machine hit', () => {
  const [reason] = screen({ score: 0.98, deferments: [{ category: 'family', validFrom: '2025-09-01', validTo: '2027-06-30' }] });
  assert.equal(reason!.status, 'deferment-not-listed');
  assert.match(reason!.detail, /does not list as exempt \(student, health\)/);
});

test('a rule not yet valid, past its validity, or revoked before the crossing does not apply', () => {
  assert.deepEqual(screen({ rules: [{ ...MOBILISATION, validFrom: '2026-06-02' }] }), []);
  assert.deepEqual(screen({ rules: [{ ...MOBILISATION, validTo: '2026-05-31' }] }), []);
  assert.deepEqual(screen({ rules: [{ ...MOBILISATION, version: 3, revokedAt: '2026-06-01T08:00:00.000Z' }] }), []);
  assert.equal(screen({ rules: [{ ...MOBILISATION, version: 3, revokedAt: '2026-06-01T10:00:00.000Z' }] })[0]!.status, 'in-scope', 'revoked later that day');
});

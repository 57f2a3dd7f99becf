/**
 * The listed person, call-up, deferment and category rule the tables of the decision's tests are made
 * of (decide.test.ts, decisionValidUntil.test.ts): P-1, Иванов Юрий born 1990-05-05, a call-up in force
 * since 2026-01-10, a student deferment, the mobilisation rule.
 */
import type { CategoryRule } from '../../src/domain/rules.js';
import type { BorderPerson, BorderRestriction } from '../../src/exchange/protocol.js';
import { mobilisationRule } from '../helpers.js';

/** The listed person P-1 (or another id) with these deferments and exemptions. */
export const listedPerson = (deferments: BorderPerson['deferments'] = [], personId = 'P-1'): BorderPerson => ({
  personId,
  surname: 'Иванов',
  givenNames: 'Юрий',
  dateOfBirth: '1990-05-05',
  documents: [{ type: 'passport', number: '751234567', country: 'RUS' }],
  deferments,
});

/** P-1's call-up, in force since 2026-01-10 unless `over` says otherwise. */
export const callUp = (over: Partial<BorderRestriction> = {}): BorderRestriction => ({
  restrictionId: 'CU-1',
  personId: 'P-1',
  kind: 'call-up',
  basis: 'Call-up notice CU-1, art. 31',
  office: 'MO-1',
  inForceFrom: '2026-01-10T00:00:00Z',
  ...over,
});

export const student = (validFrom: string, validTo: string): BorderPerson['deferments'][number] => ({ kind: 'deferment', category: 'student', validFrom, validTo });

export const MOBILISATION = { ...mobilisationRule({ ruleId: 'R-MOB' }), version: 1, versionAt: '2025-12-01T00:00:00.000Z' } as CategoryRule;

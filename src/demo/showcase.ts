/**
 * The few persons the demo walks through, added beside the synthetic register so the walkthrough does
 * not depend on what the generator happened to produce.
 */
import type { PersonInput } from '../register/schemas.js';

type Line = Omit<PersonInput, 'documents' | 'restrictions' | 'deferments'> & Partial<Pick<PersonInput, 'documents' | 'restrictions' | 'deferments'>>;

export const SHOWCASE = {
  /** Served call-up notice: a hit, by MRZ and by typed fields. */
  restricted: {
    personId: 'R-DEMO-001',
    surname: 'Иванов',
    givenNames: 'Юрий',
    patronymic: 'Сергеевич',
    dateOfBirth: '1999-03-04',
    sex: 'M',
    documents: [{ type: 'passport', number: '751234567', country: 'RUS' }],
    restrictions: [
      {
        restrictionId: 'CU-2024-77',
        kind: 'call-up',
        basis: 'Call-up notice 77/2024, art. 31 of Federal Law 53-FZ',
        office: 'MO-Moscow-12',
        issuedAt: '2024-10-01T09:00:00Z',
        servedAt: '2024-10-02T10:00:00Z',
        serviceChannel: 'portal',
      },
    ],
  },
  /** Court travel ban that the demo lifts live. */
  toLift: {
    personId: 'R-DEMO-002',
    surname: 'Щербакова',
    givenNames: 'Юлия',
    patronymic: 'Андреевна',
    dateOfBirth: '1988-11-23',
    sex: 'F',
    documents: [{ type: 'passport', number: '762345678', country: 'RUS' }],
    restrictions: [
      {
        restrictionId: 'CT-2025-2-1234',
        kind: 'court-order',
        basis: 'Court order 2-1234/2025, art. 15 of Federal Law 114-FZ',
        office: 'CT-Moscow-Tverskoy',
        issuedAt: '2025-02-10T08:00:00Z',
        servedAt: '2025-02-11T12:30:00Z',
        serviceChannel: 'in-person',
      },
    ],
  },
  /**
   * Served call-up, then a student deferment granted after it: the replica still holds the notice,
   * and screening answers clear with the deferment as the reason.
   */
  deferred: {
    personId: 'R-DEMO-003',
    surname: 'Хабибуллин',
    givenNames: 'Артём',
    patronymic: 'Ильич',
    dateOfBirth: '2004-07-15',
    sex: 'M',
    documents: [{ type: 'passport', number: '733456789', country: 'RUS' }],
    restrictions: [
      {
        restrictionId: 'CU-2025-1501',
        kind: 'call-up',
        basis: 'Call-up notice 1501/2025, art. 31 of Federal Law 53-FZ',
        office: 'MO-Kazan-1',
        issuedAt: '2025-10-01T09:00:00Z',
        servedAt: '2025-10-03T09:00:00Z',
        serviceChannel: 'post',
      },
    ],
    deferments: [{ category: 'student', validFrom: '2025-10-20', validTo: '2029-06-30', evidence: 'KFU enrolment certificate 2025/1187' }],
  },
  /** Contests a call-up served on the wrong man (issue #18): the office upholds it and the lift reaches the border. */
  contesting: {
    personId: 'R-DEMO-004',
    surname: 'Соколов',
    givenNames: 'Денис',
    patronymic: 'Павлович',
    dateOfBirth: '1996-05-20',
    sex: 'M',
    documents: [{ type: 'passport', number: '744567890', country: 'RUS' }],
    contact: { email: 'sokolov@example.org' },
    restrictions: [
      {
        restrictionId: 'CU-2025-2210',
        kind: 'call-up',
        basis: 'Call-up notice 2210/2025, art. 31 of Federal Law 53-FZ',
        office: 'MO-Moscow-12',
        issuedAt: '2025-11-01T09:00:00Z',
        servedAt: '2025-11-03T09:00:00Z',
        serviceChannel: 'in-person',
      },
    ],
  },
} satisfies Record<string, Line>;

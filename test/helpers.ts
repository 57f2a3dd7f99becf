process.env.ERX_LOG_LEVEL ??= 'warn';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { PersonInput } from '../src/register/schemas.js';
import { personSchema } from '../src/register/schemas.js';

export function tempDir(t: { after(fn: () => void): void }, prefix = 'erx-test-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let counter = 0;

/** A valid person in the import format; override any field. */
export function personLine(overrides: Partial<Record<keyof PersonInput, unknown>> = {}): Record<string, unknown> {
  counter++;
  return {
    personId: `T-${String(counter).padStart(6, '0')}`,
    surname: 'Иванов',
    givenNames: 'Юрий',
    patronymic: 'Сергеевич',
    dateOfBirth: '1999-03-04',
    sex: 'M',
    documents: [{ type: 'passport', number: String(751000000 + counter), country: 'RUS' }],
    ...overrides,
  };
}

export function person(overrides: Partial<Record<keyof PersonInput, unknown>> = {}): PersonInput {
  return personSchema.parse(personLine(overrides));
}

export function callUp(id: string, extra: Record<string, unknown> = {}) {
  return {
    restrictionId: id,
    kind: 'call-up',
    basis: `Call-up notice ${id}, art. 31`,
    office: 'MO-Moscow-12',
    issuedAt: '2024-10-01T09:00:00Z',
    ...extra,
  };
}

export const served = { servedAt: '2024-10-02T10:00:00Z', serviceChannel: 'portal' };

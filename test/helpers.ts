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

/** A category-wide rule as an operator states it (POST /v1/rules): men of 18–60 holding a RUS passport. */
export function mobilisationRule(overrides: Record<string, unknown> = {}) {
  return {
    ruleId: 'R-MOB',
    title: 'Men aged 18 to 60 may not leave',
    scope: { nationalities: ['RUS'], sex: 'M' as const, ageFrom: 18, ageTo: 60 },
    basis: 'Decree 647, art. 3',
    authority: 'Government',
    validFrom: '2026-01-01',
    exemptCategories: ['student' as const, 'health' as const],
    ...overrides,
  };
}

import { generateKeyPairSync, sign as edSign } from 'node:crypto';
import { keyIdOf, type PublicKeyInfo } from '../src/exchange/keys.js';
import { batchHash, type Change, type SignedBatch } from '../src/exchange/protocol.js';

/** A throwaway Ed25519 signer, and its public key as a replica would trust it. */
export function testSigner() {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  const der = publicKey.export({ format: 'der', type: 'spki' });
  const info: PublicKeyInfo = { keyId: keyIdOf(der), publicKey: der.toString('base64'), createdAt: new Date().toISOString(), retiresAt: null };
  return {
    info,
    sign: (data: Buffer) => ({ keyId: info.keyId, signature: edSign(null, data, privateKey).toString('base64') }),
  };
}

export function personChange(seq: number, id = `P-${seq}`, surname = 'Иванов'): Change {
  return {
    seq,
    at: '2024-10-01T00:00:00.000Z',
    entity: 'person',
    key: id,
    body: { personId: id, surname, givenNames: 'Юрий', dateOfBirth: '1999-03-04', documents: [{ type: 'passport', number: `7${seq}`, country: 'RUS' }], deferments: [] },
  };
}

/** A hash chain of signed batches of the given sizes, starting after `after` with predecessor `prevHash`. */
export function signedChain(signer: ReturnType<typeof testSigner>, sizes: number[], after = 0, prevHash = ''): SignedBatch[] {
  const out: SignedBatch[] = [];
  let seq = after;
  for (const size of sizes) {
    const changes = Array.from({ length: size }, (_, i) => personChange(seq + 1 + i));
    const unsigned = { firstSeq: seq + 1, lastSeq: seq + size, prevHash, committedAt: '2024-10-01T00:00:00.000Z', changes };
    const hash = batchHash(unsigned);
    out.push({ ...unsigned, hash, ...signer.sign(Buffer.from(hash)) });
    prevHash = hash;
    seq += size;
  }
  return out;
}

import { writeFileSync } from 'node:fs';
import { RegisterKeys } from '../src/auth/keyRing.js';

/**
 * What `erx register keys export --data DIR > FILE` writes: the register's public keys, for a
 * replica's `--trust FILE` (trustFile). Creates the register's keys when DIR has none yet, as the
 * register itself would. Returns the file.
 */
export function exportRegisterKeys(registerDataDir: string, file = join(registerDataDir, 'exported-keys.json')): string {
  return writeTrustFile(new RegisterKeys(registerDataDir).published(), file);
}

/** A trust file holding these public keys (as `erx register keys export` writes them). Returns the file. */
export function writeTrustFile(keys: PublicKeyInfo[], file: string): string {
  writeFileSync(file, JSON.stringify({ keys }, null, 2) + '\n');
  return file;
}

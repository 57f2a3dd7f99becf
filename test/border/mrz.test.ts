import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mrzBirthDate, nameFieldFull, parseMrz, splitMrz } from '../../src/border/mrz.js';
import { ScreeningService } from '../../src/border/screening.js';
import { checkDigit, td3 } from '../../src/demo/mrzSpecimen.js';
import { defaultMatcher, icaoLatin } from '../../src/matching/index.js';
import { SqliteReplicaStore } from '../../src/store/sqlite/replicaStore.js';
import { BadInput } from '../../src/shared/errors.js';
import { tempDir } from '../helpers.js';

// The specimens of ICAO Doc 9303 (part 4 for the TD3 passport, parts 5 and 6 for TD1 and TD2 cards).
const TD3 = ['P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<', 'L898902C36UTO7408122F1204159ZE184226B<<<<<10'];
const TD2 = ['I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<', 'D231458907UTO7408122F1204159<<<<<<<6'];
const TD1 = ['I<UTOD231458907<<<<<<<<<<<<<<<', '7408122F1204159UTO<<<<<<<<<<<6', 'ERIKSSON<<ANNA<MARIA<<<<<<<<<<'];

test('the ICAO specimens: TD3 passport, TD2 and TD1 identity cards', () => {
  for (const [lines, format, number] of [
    [TD3, 'TD3', 'L898902C3'],
    [TD2, 'TD2', 'D23145890'],
    [TD1, 'TD1', 'D23145890'],
  ] as const) {
    const t = parseMrz(lines.join('\n'));
    assert.equal(t.format, format);
    assert.equal(t.surname, 'ERIKSSON');
    assert.equal(t.givenNames, 'ANNA MARIA');
    assert.equal(t.documentNumber, number);
    assert.equal(t.dateOfBirth, '1974-08-12');
    assert.equal(t.documentCountry, 'UTO', 'the specimen state is carried through as written');
    assert.equal(t.nationality, 'UTO');
    assert.equal(t.sex, 'F');
    assert.equal(t.expirationDate, '2012-04-15');
    assert.equal(t.nameTruncated, undefined, 'the specimen name ends in fillers');
  }
});

test('lines: CR, surrounding blanks and lower case are tolerated', () => {
  assert.deepEqual(splitMrz(`  ${TD3[0]!.toLowerCase()}\r\n${TD3[1]}  \n`), TD3);
  assert.equal(parseMrz(`${TD3[0]!.toLowerCase()}\r\n${TD3[1]}`).surname, 'ERIKSSON');
});

function expectBad(text: string, field: RegExp, message: RegExp) {
  assert.throws(
    () => parseMrz(text),
    (err: unknown) => {
      assert.ok(err instanceof BadInput);
      assert.equal((err as BadInput).status, 400);
      assert.match(String((err as BadInput & { field?: string }).field), field);
      assert.match((err as Error).message, message);
      return true;
    },
  );
}

const replaceAt = (s: string, i: number, c: string) => s.slice(0, i) + c + s.slice(i + 1);

test('every check digit is verified, and a failure names the field and the digit', () => {
  // TD3 line 2: document number check digit at 9, birth date at 19, expiry at 27, personal number at 42, composite at 43.
  const l2 = TD3[1]!;
  expectBad(`${TD3[0]}\n${replaceAt(l2, 9, '7')}`, /^mrz\.documentNumberCheckDigit$/, /check digit/i);
  expectBad(`${TD3[0]}\n${replaceAt(l2, 19, '3')}`, /^mrz\.birthDateCheckDigit$/, /line 2, character 20\)/);
  expectBad(`${TD3[0]}\n${replaceAt(l2, 27, '0')}`, /^mrz\.expirationDateCheckDigit$/, /check digit/i);
  expectBad(`${TD3[0]}\n${replaceAt(l2, 42, '2')}`, /^mrz\.(personalNumberCheckDigit|compositeCheckDigit)$/, /check digit/i);
  expectBad(`${TD3[0]}\n${replaceAt(l2, 43, '1')}`, /^mrz\.compositeCheckDigit$/, /check digit/i);
  // A changed (still valid) birth date with its old check digit; an impossible date is named as such.
  expectBad(`${TD3[0]}\n${replaceAt(l2, 18, '3')}`, /^mrz\.birthDateCheckDigit$/, /invalid check digit: 2\. Must be 3 \(line 2, character 20\)/);
  expectBad(`${TD3[0]}\n${replaceAt(l2, 17, '3')}`, /^mrz\.birthDate$/, /Birth date/);
  // TD1: document number check digit on line 1, composite at the end of line 2.
  expectBad([replaceAt(TD1[0]!, 14, '1'), TD1[1], TD1[2]].join('\n'), /^mrz\.documentNumberCheckDigit$/, /line 1/);
  expectBad([TD1[0], replaceAt(TD1[1]!, 29, '5'), TD1[2]].join('\n'), /^mrz\.compositeCheckDigit$/, /line 2/);
  // TD2.
  expectBad([TD2[0], replaceAt(TD2[1]!, 19, '0')].join('\n'), /^mrz\.birthDateCheckDigit$/, /check digit/i);
});

test('not a machine-readable zone at all: 400 on the field mrz, saying what was expected', () => {
  expectBad('hello', /^mrz$/, /expected 2×44 \(TD3 passport\), 2×36 \(TD2\) or 3×30 \(TD1\)/);
  expectBad(TD3[0]!, /^mrz$/, /1 line/);
});

test('a two-digit birth year resolves to the latest century that is not in the future', () => {
  const today = new Date('2025-06-01T00:00:00Z');
  assert.equal(mrzBirthDate('990304', today), '1999-03-04');
  assert.equal(mrzBirthDate('050304', today), '2005-03-04');
  assert.equal(mrzBirthDate('25AB01', today), undefined);
});

test('a name filled to the end of its field is marked as possibly cut short', () => {
  const long = td3({ surname: 'Константинопольская-Щербакова', givenNames: 'Александра', documentNumber: '751234567', country: 'RUS', dateOfBirth: '1980-01-02', sex: 'F', expires: '2031-01-01' });
  const lines = long.split('\n');
  assert.equal(lines[0]!.length, 44);
  assert.ok(nameFieldFull('TD3', lines));
  const t = parseMrz(long);
  assert.equal(t.nameTruncated, true);
  assert.equal(t.surname, 'KONSTANTINOPOLSKAIA SHCHERBAKOVA');
  assert.ok('ALEKSANDRA'.startsWith(t.givenNames!) && t.givenNames!.length < 'ALEKSANDRA'.length, t.givenNames);
  assert.equal(nameFieldFull('TD3', TD3), false);
  assert.equal(nameFieldFull('TD1', TD1), false);
});

/** A TD1 identity card for the tests, with its check digits (ICAO 9303 part 5). */
function td1(f: { surname: string; givenNames: string; documentNumber: string; country: string; dateOfBirth: string; sex: 'M' | 'F'; expires: string }): string {
  const pad = (s: string, n: number) => (s + '<'.repeat(n)).slice(0, n);
  const name = (s: string) => icaoLatin(s).replace(/ /g, '<');
  const doc = pad(f.documentNumber, 9);
  const l1 = pad(`I<${f.country}${doc}${checkDigit(doc)}`, 30);
  const dob = f.dateOfBirth.replace(/-/g, '').slice(2);
  const exp = f.expires.replace(/-/g, '').slice(2);
  const l2start = `${dob}${checkDigit(dob)}${f.sex}${exp}${checkDigit(exp)}${f.country}`;
  const l2 = pad(l2start, 29);
  const composite = checkDigit(l1.slice(5, 30) + l2.slice(0, 7) + l2.slice(8, 15) + l2.slice(18, 29));
  const l3 = pad(`${name(f.surname)}<<${name(f.givenNames)}`, 30);
  return [l1, l2 + composite, l3].join('\n');
}

test('the TD1 writer above produces a zone the parser accepts', () => {
  const t = parseMrz(td1({ surname: 'Щербаков', givenNames: 'Юрий', documentNumber: '4512345678'.slice(0, 9), country: 'RUS', dateOfBirth: '1990-05-06', sex: 'M', expires: '2030-01-01' }));
  assert.equal(t.format, 'TD1');
  assert.equal(t.surname, 'SHCHERBAKOV');
  assert.equal(t.givenNames, 'IURII');
});

test('screening by MRZ: TD3 and TD1, a name cut short by the field, no patronymic in the zone — all hits', async (t) => {
  const dir = tempDir(t, 'erx-mrz-');
  const store = new SqliteReplicaStore({ dataDir: dir, matcher: defaultMatcher });
  t.after(() => store.close());
  const writer = await store.beginBootstrap();
  const persons = [
    { personId: 'P-1', surname: 'Щербаков', givenNames: 'Юрий', patronymic: 'Сергеевич', dateOfBirth: '1990-05-06', documents: [{ type: 'passport', number: '751234567', country: 'RUS' }], deferments: [] },
    { personId: 'P-2', surname: 'Константинопольская-Щербакова', givenNames: 'Александра', patronymic: 'Игоревна', dateOfBirth: '1980-01-02', documents: [], deferments: [] },
  ];
  await writer.write([
    ...persons.map((body) => ({ type: 'person' as const, body })),
    ...persons.map((p) => ({ type: 'restriction' as const, body: { restrictionId: `R-${p.personId}`, personId: p.personId, kind: 'court-order' as const, basis: 'Court order 2-1/2024', office: 'CT-Moscow-Tverskoy', inForceFrom: '2024-01-10T10:00:00Z' } })),
  ]);
  await writer.finish(2, '2024-10-01T00:00:00Z', '');
  const service = new ScreeningService({
    store,
    matcher: defaultMatcher,
    freshness: async () => ({ replicaSeq: 2, registerSeq: 2, dataAsOf: '2024-10-01T00:00:00Z', lagSeconds: 0 }),
  });
  const screen = async (mrz: string) => (await service.screen({ mrz }, 'test')).decision;
  // Another passport of the same person (a number the register does not know): name and date decide.
  assert.equal(await screen(td3({ surname: 'Щербаков', givenNames: 'Юрий', documentNumber: '760000001', country: 'RUS', dateOfBirth: '1990-05-06', sex: 'M', expires: '2031-01-01' })), 'hit');
  assert.equal(await screen(td1({ surname: 'Щербаков', givenNames: 'Юрий', documentNumber: '451234567', country: 'RUS', dateOfBirth: '1990-05-06', sex: 'M', expires: '2030-01-01' })), 'hit');
  assert.equal(await screen(td3({ surname: 'Константинопольская-Щербакова', givenNames: 'Александра', documentNumber: '760000002', country: 'RUS', dateOfBirth: '1980-01-02', sex: 'F', expires: '2031-01-01' })), 'hit');
  // Someone else entirely.
  assert.equal(await screen(td3({ surname: 'Петров', givenNames: 'Пётр', documentNumber: '760000003', country: 'RUS', dateOfBirth: '1990-05-06', sex: 'M', expires: '2031-01-01' })), 'clear');
  // A bad check digit never reaches the matcher.
  const bad = td3({ surname: 'Щербаков', givenNames: 'Юрий', documentNumber: '751234567', country: 'RUS', dateOfBirth: '1990-05-06', sex: 'M', expires: '2031-01-01' }).split('\n');
  await assert.rejects(service.screen({ mrz: `${bad[0]}\n${replaceAt(bad[1]!, 9, bad[1]![9] === '0' ? '1' : '0')}` }, 'test'), /documentNumber|check digit/i);
});

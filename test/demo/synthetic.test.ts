import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { personSchema } from '../../src/register/schemas.js';
import { MALE_NAMES } from '../../src/demo/names.js';
import {
  DEFAULT_RESTRICTED_SHARE,
  MAX_PERSONS,
  MAX_RESTRICTED_SHARE,
  feminineSurname,
  generatePerson,
  generatePersons,
  patronymicOf,
  toJsonLines,
  type SyntheticPerson,
} from '../../src/demo/synthetic.js';

const N = 50_000;
const SEED = 20240901;
const register: SyntheticPerson[] = [...generatePersons({ count: N, seed: SEED })];

/** Age reached in 2025, the generator's reference year for eligibility. */
const ageIn2025 = (p: SyntheticPerson) => 2025 - Number(p.dateOfBirth.slice(0, 4));
const share = (pred: (p: SyntheticPerson) => boolean, persons: SyntheticPerson[] = register) =>
  persons.filter(pred).length / persons.length;
const hasCallUp = (p: SyntheticPerson) => p.restrictions.some((r) => r.kind === 'call-up');

/** A real calendar check, independent of the generator's own tables. */
function isCalendarDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const date = new Date(Date.UTC(y, mo - 1, d));
  return date.getUTCFullYear() === y && date.getUTCMonth() === mo - 1 && date.getUTCDate() === d;
}

describe('determinism and ranges', () => {
  test('the same seed gives the same register, another seed a different one', () => {
    const again = [...generatePersons({ count: 3_000, seed: SEED })];
    assert.deepEqual(again, register.slice(0, 3_000));
    const other = [...generatePersons({ count: 3_000, seed: SEED + 1 })];
    const same = other.filter((p, i) => p.surname === register[i]?.surname && p.dateOfBirth === register[i]?.dateOfBirth).length;
    assert.ok(same < 100, `${same} of 3000 persons coincide across seeds`);
  });

  test('[0, n) then [n, m) equals [0, m)', () => {
    const first = [...generatePersons({ count: 1_234, seed: SEED })];
    const second = [...generatePersons({ count: 4_000 - 1_234, seed: SEED, startIndex: 1_234 })];
    assert.deepEqual([...first, ...second], register.slice(0, 4_000));
  });

  test('a far range can be produced on its own and matches generatePerson', () => {
    const start = 9_999_990;
    const range = [...generatePersons({ count: 10, seed: SEED, startIndex: start })];
    assert.equal(range[0]?.personId, 'R-9999990');
    assert.equal(range[9]?.personId, 'R-9999999');
    range.forEach((p, i) => assert.deepEqual(p, generatePerson(start + i, { seed: SEED })));
  });

  test('personIds are R- plus the index, padded to seven digits', () => {
    register.slice(0, 200).forEach((p, i) => assert.equal(p.personId, `R-${String(i).padStart(7, '0')}`));
  });

  test('bad options are refused at once', () => {
    assert.throws(() => generatePersons({ count: -1 }), RangeError);
    assert.throws(() => generatePersons({ count: 10, startIndex: MAX_PERSONS - 5 }), RangeError);
    assert.throws(() => generatePersons({ count: 10, seed: 1.5 }), RangeError);
    assert.throws(() => generatePersons({ count: 10, restrictedShare: MAX_RESTRICTED_SHARE + 0.01 }), RangeError);
    assert.throws(() => generatePersons({ count: 10, restrictedShare: -0.1 }), RangeError);
    assert.doesNotThrow(() => generatePersons({ count: 5, startIndex: MAX_PERSONS - 5 }));
  });
});

describe('uniqueness', () => {
  test('personIds, passport and ID-card numbers and restrictionIds are unique', () => {
    const ids = new Set(register.map((p) => p.personId));
    assert.equal(ids.size, N);
    const docs = register.flatMap((p) => p.documents);
    const passports = docs.filter((d) => d.type === 'passport').map((d) => d.number);
    assert.equal(passports.length, N, 'every person holds a passport');
    assert.equal(new Set(passports).size, N);
    const cards = docs.filter((d) => d.type === 'id-card').map((d) => d.number);
    assert.equal(new Set(cards).size, cards.length);
    const restrictionIds = register.flatMap((p) => p.restrictions.map((r) => r.restrictionId));
    assert.ok(restrictionIds.length > N * 0.1);
    assert.equal(new Set(restrictionIds).size, restrictionIds.length);
  });

  test('passport numbers are 9 digits in series 70–76, ID cards 10 digits, all RUS', () => {
    for (const p of register) {
      for (const d of p.documents) {
        assert.equal(d.country, 'RUS');
        if (d.type === 'passport') assert.match(d.number, /^7[0-6]\d{7}$/);
        else assert.match(d.number, /^(0[1-9]|[1-9]\d)\d{8}$/);
      }
    }
    const cardShare = share((p) => p.documents.length === 2);
    assert.ok(cardShare > 0.02 && cardShare < 0.04, `id-card share ${cardShare}`);
  });
});

describe('names', () => {
  const MASCULINE_ENDING = /(ов|ев|ёв|ин|ын|ский|цкий)$/;
  const FEMININE_ENDING = /(ова|ева|ёва|ина|ына|ская|цкая|ая)$/;

  test('feminine surname forms follow the rules, including hyphenated and invariable ones', () => {
    const cases: [string, string][] = [
      ['Иванов', 'Иванова'], ['Соловьёв', 'Соловьёва'], ['Ильин', 'Ильина'], ['Лисицын', 'Лисицына'],
      ['Соколовский', 'Соколовская'], ['Высоцкий', 'Высоцкая'], ['Толстой', 'Толстая'],
      ['Шевченко', 'Шевченко'], ['Полищук', 'Полищук'], ['Черных', 'Черных'], ['Пашкевич', 'Пашкевич'],
      ['Петросян', 'Петросян'], ['Ким', 'Ким'], ['Цой', 'Цой'], ['Шмидт', 'Шмидт'],
      ['Римский-Корсаков', 'Римская-Корсакова'], ['Петров-Водкин', 'Петрова-Водкина'],
    ];
    for (const [m, f] of cases) assert.equal(feminineSurname(m), f, m);
  });

  test('surnames agree with sex: no female Иванов, no male Иванова', () => {
    let women = 0;
    for (const p of register) {
      for (const part of p.surname.split('-')) {
        if (p.sex === 'F') assert.doesNotMatch(part, MASCULINE_ENDING, `${p.personId} ${p.surname}`);
        else assert.doesNotMatch(part, FEMININE_ENDING, `${p.personId} ${p.surname}`);
      }
      if (p.sex === 'F' && /ова$/.test(p.surname)) women++;
    }
    assert.ok(women > N * 0.1, 'many women carry -ова surnames');
  });

  test('patronymics: regular rules and the irregulars', () => {
    const cases: [string, string, string][] = [
      ['Иван', 'Иванович', 'Ивановна'], ['Сергей', 'Сергеевич', 'Сергеевна'], ['Николай', 'Николаевич', 'Николаевна'],
      ['Игорь', 'Игоревич', 'Игоревна'], ['Юрий', 'Юрьевич', 'Юрьевна'], ['Василий', 'Васильевич', 'Васильевна'],
      ['Евгений', 'Евгеньевич', 'Евгеньевна'], ['Дмитрий', 'Дмитриевич', 'Дмитриевна'], ['Георгий', 'Георгиевич', 'Георгиевна'],
      ['Илья', 'Ильич', 'Ильинична'], ['Никита', 'Никитич', 'Никитична'], ['Фома', 'Фомич', 'Фоминична'],
      ['Кузьма', 'Кузьмич', 'Кузьминична'], ['Лев', 'Львович', 'Львовна'], ['Павел', 'Павлович', 'Павловна'],
      ['Пётр', 'Петрович', 'Петровна'], ['Михаил', 'Михайлович', 'Михайловна'], ['Яков', 'Яковлевич', 'Яковлевна'],
      ['Семён', 'Семёнович', 'Семёновна'], ['Фёдор', 'Фёдорович', 'Фёдоровна'], ['Артём', 'Артёмович', 'Артёмовна'],
    ];
    for (const [father, m, f] of cases) {
      assert.equal(patronymicOf(father, 'M'), m, father);
      assert.equal(patronymicOf(father, 'F'), f, father);
    }
    assert.throws(() => patronymicOf('Вова', 'M'), /no patronymic rule/);
  });

  test('patronymics agree with sex and come from a listed father name', () => {
    const valid = { M: new Set(MALE_NAMES.map(([n]) => patronymicOf(n, 'M'))), F: new Set(MALE_NAMES.map(([n]) => patronymicOf(n, 'F'))) };
    for (const p of register) {
      if (p.patronymic === undefined) continue;
      assert.match(p.patronymic, p.sex === 'M' ? /(ич)$/ : /(на)$/, `${p.personId} ${p.sex} ${p.patronymic}`);
      assert.ok(valid[p.sex].has(p.patronymic), p.patronymic);
    }
  });

  test('some persons have hyphenated surnames or no patronymic; ё is kept', () => {
    const odd = share((p) => p.surname.includes('-') || p.patronymic === undefined);
    assert.ok(odd >= 0.03 && odd <= 0.05, `hyphenated or no patronymic: ${odd}`);
    assert.ok(register.some((p) => p.surname.includes('-')));
    assert.ok(register.some((p) => p.patronymic === undefined));
    assert.ok(register.some((p) => p.givenNames === 'Пётр'));
    assert.ok(register.some((p) => p.surname === 'Фёдоров'));
    assert.ok(register.some((p) => p.patronymic === 'Семёнович' || p.patronymic === 'Семёновна'));
  });

  test('surname frequencies are heavily skewed with a long tail', () => {
    const counts = new Map<string, number>();
    for (const p of register) if (p.sex === 'M' && !p.surname.includes('-')) counts.set(p.surname, (counts.get(p.surname) ?? 0) + 1);
    const sorted = [...counts.values()].sort((a, b) => b - a);
    const top = sorted[0] as number;
    const median = sorted[Math.floor(sorted.length / 2)] as number;
    assert.ok(top >= 20 * median, `most common ${top}, median ${median}`);
    assert.ok(counts.size > 2_000, `${counts.size} distinct surnames among men`);
    const mostCommon = [...counts.entries()].sort((a, b) => b[1] - a[1]).slice(0, 5).map(([s]) => s);
    assert.ok(mostCommon.includes('Иванов') && mostCommon.includes('Смирнов'), mostCommon.join(' '));
  });

  test('sex is roughly half and half', () => {
    const men = share((p) => p.sex === 'M');
    assert.ok(men > 0.47 && men < 0.51, `men ${men}`);
  });
});

describe('dates of birth', () => {
  test('are real calendar dates between 1960 and 2008, about 2 % partial', () => {
    let partial = 0;
    let leapDays = 0;
    for (const p of register) {
      const dob = p.dateOfBirth;
      const year = Number(dob.slice(0, 4));
      assert.ok(year >= 1960 && year <= 2008, dob);
      if (/^\d{4}$/.test(dob)) partial++;
      else if (/^\d{4}-\d{2}$/.test(dob)) {
        partial++;
        assert.ok(isCalendarDate(`${dob}-01`), dob);
      } else {
        assert.ok(isCalendarDate(dob), `${p.personId} ${dob}`);
        if (dob.endsWith('-02-29')) leapDays++;
      }
    }
    assert.ok(partial / N > 0.01 && partial / N < 0.03, `partial ${partial / N}`);
    assert.ok(leapDays > 0, 'someone is born on 29 February');
  });
});

describe('restrictions', () => {
  const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;
  const FROM = Date.parse('2024-01-01T00:00:00Z');
  const TO = Date.parse('2026-10-31T23:59:59Z');

  test('lifecycle instants are ISO UTC, in the window, and ordered issuedAt < servedAt < liftedAt', () => {
    let lifted = 0;
    for (const p of register) {
      for (const r of p.restrictions) {
        const times = [r.issuedAt, r.servedAt, r.liftedAt].filter((t): t is string => t !== undefined);
        for (const t of times) {
          assert.match(t, INSTANT);
          const ms = Date.parse(t);
          assert.ok(ms >= FROM && ms <= TO, `${r.restrictionId} ${t}`);
          assert.equal(new Date(ms).toISOString().slice(0, 19) + 'Z', t);
        }
        assert.equal(r.servedAt === undefined, r.serviceChannel === undefined, r.restrictionId);
        assert.equal(r.liftedAt === undefined, r.liftReason === undefined, r.restrictionId);
        if (r.servedAt) assert.ok(Date.parse(r.issuedAt) < Date.parse(r.servedAt), `${r.restrictionId} served before issue`);
        if (r.liftedAt) {
          lifted++;
          assert.ok(r.servedAt && Date.parse(r.servedAt) < Date.parse(r.liftedAt), `${r.restrictionId} lifted before service`);
        }
      }
    }
    assert.ok(lifted > 0);
  });

  test('call-ups: default share, men mostly 18–50, served/lifted/issued mix', () => {
    const callUps = register.filter(hasCallUp);
    assert.ok(Math.abs(callUps.length / N - DEFAULT_RESTRICTED_SHARE) < 0.01, `call-up share ${callUps.length / N}`);
    assert.ok(callUps.every((p) => p.sex === 'M' && ageIn2025(p) >= 18));
    const core = share((p) => ageIn2025(p) <= 50, callUps);
    assert.ok(core > 0.9, `aged 18–50: ${core}`);
    const notices = register.flatMap((p) => p.restrictions.filter((r) => r.kind === 'call-up'));
    const served = notices.filter((r) => r.servedAt && !r.liftedAt).length / notices.length;
    const lifted = notices.filter((r) => r.liftedAt).length / notices.length;
    assert.ok(Math.abs(served - 0.7) < 0.03, `served ${served}`);
    assert.ok(Math.abs(lifted - 0.1) < 0.02, `lifted ${lifted}`);
    assert.deepEqual(new Set(notices.flatMap((r) => (r.serviceChannel ? [r.serviceChannel] : []))), new Set(['in-person', 'post', 'portal']));
    assert.ok(notices.every((r) => /^CU-202[4-6]-\d{8}$/.test(r.restrictionId) && r.office.startsWith('MO-')));
    assert.ok(notices.every((r) => /^Call-up notice \d+\/202[4-6], art\. 31 of Federal Law 53-FZ$/.test(r.basis)));
  });

  test('restrictedShare is honoured', () => {
    for (const wanted of [0, 0.03, 0.25]) {
      const persons = [...generatePersons({ count: 20_000, seed: 7, restrictedShare: wanted })];
      const got = share(hasCallUp, persons);
      assert.ok(Math.abs(got - wanted) < 0.012, `wanted ${wanted}, got ${got}`);
    }
  });

  test('court orders on about 1 % of persons of either sex', () => {
    const court = register.filter((p) => p.restrictions.some((r) => r.kind === 'court-order'));
    assert.ok(Math.abs(court.length / N - 0.01) < 0.003, `court share ${court.length / N}`);
    assert.ok(court.some((p) => p.sex === 'F') && court.some((p) => p.sex === 'M'));
    for (const p of court) {
      const r = p.restrictions.find((x) => x.kind === 'court-order');
      assert.match(r?.restrictionId ?? '', /^CT-202[4-6]-\d{8}$/);
      assert.match(r?.basis ?? '', /^Court order [12]-\d+\/202[4-6], art\. 15 of Federal Law 114-FZ$/);
      assert.match(r?.office ?? '', /^CT-[A-Za-z]+-[A-Za-z-]+$/);
    }
  });

  test('deferments on about 3 % of persons, with valid windows, some alongside a call-up', () => {
    const holders = register.filter((p) => p.deferments.length > 0);
    assert.ok(Math.abs(holders.length / N - 0.03) < 0.01, `deferment share ${holders.length / N}`);
    assert.ok(holders.some(hasCallUp), 'some holders also have a call-up');
    const categories = new Set<string>();
    for (const p of holders) {
      for (const d of p.deferments) {
        categories.add(d.category);
        assert.ok(isCalendarDate(d.validFrom) && isCalendarDate(d.validTo), `${d.validFrom} ${d.validTo}`);
        assert.ok(d.validFrom <= d.validTo, `${p.personId} ${d.validFrom} > ${d.validTo}`);
        assert.ok(d.validFrom >= '2023-09-01' && d.validTo <= '2027-12-31', `${d.validFrom}..${d.validTo}`);
      }
    }
    assert.deepEqual(categories, new Set(['student', 'health', 'family', 'occupation', 'other']));
  });
});

describe('output format', () => {
  test('absent fields are omitted, never undefined-valued', () => {
    for (const p of register.slice(0, 5_000)) assert.deepEqual(JSON.parse(JSON.stringify(p)), p);
  });

  test('toJsonLines writes JSON.stringify(person) + newline, also for persons of another shape', () => {
    const lines = [...toJsonLines(register)];
    assert.equal(lines.length, N);
    lines.forEach((line, i) => assert.equal(line, JSON.stringify(register[i]) + '\n'));
    const base = register[0] as SyntheticPerson;
    const { patronymic: _, ...withoutPatronymic } = base;
    const odd: SyntheticPerson[] = [
      { ...base, surname: 'О"Брайен\\', givenNames: 'Tab\there' },
      { ...base, patronymic: undefined } as unknown as SyntheticPerson,
      { ...base, extra: 1 } as SyntheticPerson,
      Object.fromEntries(Object.entries(withoutPatronymic).reverse()) as unknown as SyntheticPerson,
      { ...base, documents: [{ number: '1', type: 'passport', country: 'RUS' }] },
    ];
    for (const p of odd) assert.equal([...toJsonLines([p])][0], JSON.stringify(p) + '\n');
  });

  test('every line is accepted by the register import schema', () => {
    const sample = register.filter((p, i) => i < 3_000 || p.restrictions.length > 0 || p.deferments.length > 0 || p.documents.length > 1);
    for (const line of toJsonLines(sample)) {
      const parsed = personSchema.safeParse(JSON.parse(line));
      assert.ok(parsed.success, `${line} → ${parsed.success ? '' : JSON.stringify(parsed.error.issues[0])}`);
    }
  });
});

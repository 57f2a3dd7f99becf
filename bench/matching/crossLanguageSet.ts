/**
 * The cross-language development cases (test/matching/fixtures/cross-language/): persons held by a
 * Russian, Ukrainian or Belarusian register, and travellers whose document was written in another of the
 * four languages (Russian, Ukrainian, Belarusian passports; a Polish document).
 *
 * Built once from public sources and committed, so `npm test` and `npm run bench:matching` need nothing
 * else: surnames are those of the team's development set (../shared/data/names/dev, Russian surnames from
 * the Wikidata word lists of Ash et al., COLING 2018, CC0), given names are lines of the equivalence list
 * (src/matching/givenNameEquivalents.ts, its sources named there). Run `node
 * dist/bench/matching/crossLanguageSet.js` after `npx tsc` to rebuild (seeded: the same files every time).
 *
 * What is generated, per listed person (sex from the source person; date of birth drawn at random):
 *  - the register holds the name in its language: the Russian surname as it is, or its Ukrainian or
 *    Belarusian form made by the rules below; the given name as that language's member of a line;
 *  - `xlang` (expect hit): the traveller's document in another language — the surname in that language's
 *    form, the given name as that language's member, both written by that country's passport system
 *    (ICAO 9303 for Russia, the 2010 national system for Ukraine, the passport spelling for Belarus,
 *    Polish spelling with diacritics folded for Poland), date of birth exact;
 *  - `xlang-sibling` (not-hit): the same surname form and date, another given name of the same sex (one
 *    with the same first letter when the list has one: MYKHAILO for Микола);
 *  - `xlang-stranger` (clear): the equivalent given name with another person's surname and another date;
 *  - `xlang-other-sex` (not-hit): for names with a form of the other sex (Александр, Александра), the
 *    other sex's surname and given name, same date: a sister is not the brother.
 *
 * The surname forms are made by the orthographic correspondences of the languages, written here as
 * rules for generating, not for matching (the matcher compares Latin spellings; it does not convert):
 * Russian → Ukrainian: ы и э ё ъ → и е ьо ', initial е → є, -ин → -ін, -ский/-цкий → -ський/-цький,
 * -ая → -а, -ый → -ий; Russian → Belarusian: аканне (о → а except in the stem's last syllable, or
 * everywhere before a stressed ё), е и → э ы after ж ш ч ц р, и → і, щ → шч, д т → дз ц before a soft
 * vowel, в → ў after a vowel before a consonant, -ов/-ев → -оў/-еў, -ский/-цкий → -скі/-цкі, -енко → -енка,
 * a final -о → -а. Stress is not known, so some Belarusian forms put аканне in the wrong syllable (Саколаў
 * for Сакалоў): only vowels differ, as between two real spellings.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BELARUSIAN_SCHEMES, russified, UKRAINIAN_SCHEMES } from '../../src/matching/eastSlavic.js';
import { GIVEN_NAME_EQUIVALENTS, type GivenNameLanguage } from '../../src/matching/givenNameEquivalents.js';
import { parseEquivalents, type Member } from '../../src/matching/equivalence.js';
import { foldLatin } from '../../src/matching/latin.js';
import { SCHEMES, transliterate } from '../../src/matching/schemes.js';
import { ROOT, SHARED } from './common.js';
import { seededRandom } from '../harness/seededRandom.js';

export const FIXTURE_DIR = join(ROOT, 'test/matching/fixtures/cross-language');

type Register = 'ru' | 'uk' | 'be';

const VOWELS = 'аеёиіоуыэюя';
const SOFT = 'еёюяиіь';
const HARD_BE = 'жшчцр';

const cap = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** The Ukrainian form of a Russian surname (generation rules, see the header). */
export function ukrainianSurname(ru: string): string {
  let w = ru.toLowerCase();
  w = w.replace(/ский$/, 'ський').replace(/цкий$/, 'цький').replace(/ская$/, 'ська').replace(/цкая$/, 'цька').replace(/ый$/, 'ий').replace(/ая$/, 'а');
  w = w.replace(/ин$/, 'ін').replace(/ина$/, 'іна');
  let out = '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    const prev = i > 0 ? w[i - 1]! : '';
    if (c === 'ы') out += 'и';
    else if (c === 'э') out += 'е';
    else if (c === 'ъ') out += "'";
    else if (c === 'ё') out += prev === '' || VOWELS.includes(prev) ? 'йо' : 'ьо';
    else if (c === 'е' && i === 0) out += 'є';
    else out += c;
  }
  return cap(out);
}

/** The Belarusian form of a Russian surname (generation rules, see the header). */
export function belarusianSurname(ru: string): string {
  let w = ru.toLowerCase();
  let suffix = '';
  const suffixes: [RegExp, string][] = [
    [/ский$/, 'скі'], [/цкий$/, 'цкі'], [/ская$/, 'ская'], [/цкая$/, 'цкая'], [/ова$/, 'ава'], [/ева$/, 'ева'], [/ов$/, 'аў'], [/ев$/, 'еў'], [/ёв$/, 'ёў'],
    [/енко$/, 'енка'], [/ина$/, 'іна'], [/ин$/, 'ін'], [/ый$/, 'ы'], [/([кгх])ий$/, '$1і'], [/ий$/, 'і'], [/ая$/, 'ая'],
  ];
  for (const [re, to] of suffixes) {
    const m = re.exec(w);
    if (m) {
      suffix = m[0].replace(re, to);
      w = w.slice(0, m.index);
      break;
    }
  }
  // аканне: every о of the stem but its last becomes а (all of them before a stressed ё).
  const hasYo = (w + suffix).includes('ё');
  const lastO = hasYo ? -1 : w.lastIndexOf('о');
  let stem = '';
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    const next = w[i + 1] ?? suffix[0] ?? '';
    // A Ц or ДЗ made from a soft Т or Д is soft: the vowel after it is not made hard.
    const prev = i > 0 && !'тд'.includes(w[i - 1]!) ? stem[stem.length - 1]! : '';
    const isHard = prev !== '' && HARD_BE.includes(prev);
    if (c === 'о' && i !== lastO) stem += 'а';
    else if (c === 'о' && i === w.length - 1 && !suffix) stem += 'а';
    else if (c === 'е' && isHard) stem += 'э';
    else if (c === 'ё' && isHard) stem += 'о';
    else if (c === 'и') stem += isHard ? 'ы' : 'і';
    else if (c === 'щ') stem += 'шч';
    else if (c === 'ъ') stem += "'";
    else if (c === 'д' && SOFT.includes(next)) stem += 'дз';
    else if (c === 'т' && SOFT.includes(next)) stem += 'ц';
    else if (c === 'р' && 'яюеё'.includes(next)) stem += 'р';
    else if (c === 'в' && prev && VOWELS.includes(prev) && next && !VOWELS.includes(next)) stem += 'ў';
    else if ('яюе'.includes(c) && prev === 'р') stem += { я: 'а', ю: 'у', е: 'э' }[c as 'я' | 'ю' | 'е'];
    else stem += c;
  }
  return cap(stem + suffix);
}

/** The woman's form of a Russian man's surname, or undefined when it has none distinct (-енко, -ук, -ич). */
export function feminineSurname(ru: string): string | undefined {
  const w = ru;
  if (/(ов|ев|ёв|ин|ын)$/.test(w)) return w + 'а';
  if (/(ский|цкий)$/.test(w)) return w.slice(0, -2) + 'ая';
  if (/(ой|ый|ий)$/.test(w)) return w.slice(0, -2) + 'ая';
  return undefined;
}

function surnameIn(language: Register, ru: string): string {
  return language === 'ru' ? ru : language === 'uk' ? ukrainianSurname(ru) : belarusianSurname(ru);
}

const ICAO = SCHEMES[0]!;
const POLISH = SCHEMES.find((s) => s.scheme === 'Polish')!;
const UKRAINIAN_2010 = UKRAINIAN_SCHEMES[0]!;
const BELARUSIAN_PASSPORT = BELARUSIAN_SCHEMES[0]!;

/** A Cyrillic word as the document of `language` writes it. */
function documentSpelling(word: string, language: GivenNameLanguage): string {
  const latin =
    language === 'ru' ? transliterate(russified(word), ICAO) : language === 'uk' ? transliterate(word, UKRAINIAN_2010) : language === 'be' ? transliterate(word, BELARUSIAN_PASSPORT) : transliterate(russified(word), POLISH);
  return foldLatin(latin);
}


interface SourcePerson {
  surname: string;
  sex: string;
}

export interface CrossLanguageSet {
  watchlist: Record<string, unknown>[];
  queries: { case: string; expect: string; personId: string; registerLanguage: Register; documentLanguage: GivenNameLanguage; query: Record<string, string> }[];
}

export function buildCrossLanguageSet(source: SourcePerson[], count: number, seed = 20261207): CrossLanguageSet {
  const r = seededRandom(seed);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(r() * list.length)]!;
  const lines = parseEquivalents(GIVEN_NAME_EQUIVALENTS);
  const form = (line: Member[], language: GivenNameLanguage) => line.find((m) => m.language === language);
  // Men's surnames only (a woman's form is made from them), one word, of letters the rules know.
  const surnames = [...new Set(source.filter((p) => p.sex === 'M' && /^[А-ЯЁ][а-яё]+$/.test(p.surname)).map((p) => p.surname))].sort();
  const watchlist: CrossLanguageSet['watchlist'] = [];
  const queries: CrossLanguageSet['queries'] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    let surname = pick(surnames);
    while (used.has(surname)) surname = pick(surnames);
    used.add(surname);
    const registerLanguage = pick<Register>(['ru', 'uk', 'be']);
    const documentLanguage = pick((['ru', 'uk', 'be', 'pl'] as const).filter((l) => l !== registerLanguage));
    const sex: 'M' | 'F' = r() < 0.75 ? 'M' : 'F';
    const candidates = lines.filter((l) => l[0]!.sex === sex && form(l, registerLanguage) && form(l, documentLanguage));
    const line = pick(candidates);
    const listedSurnameRu = sex === 'M' ? surname : (feminineSurname(surname) ?? surname);
    const listedSurname = surnameIn(registerLanguage, listedSurnameRu);
    const listedGiven = form(line, registerLanguage)!.text;
    const y = 1960 + Math.floor(r() * 47);
    const dob = `${y}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    const personId = `X-${String(i).padStart(5, '0')}`;
    watchlist.push({
      personId,
      surname: listedSurname,
      givenNames: listedGiven,
      dateOfBirth: dob,
      sex,
      documents: [{ type: 'passport', number: String(800000000 + i * 7919), country: registerLanguage === 'ru' ? 'RUS' : registerLanguage === 'uk' ? 'UKR' : 'BLR' }],
      restrictions: [{ restrictionId: `XR-${personId}`, kind: 'call-up', basis: `Call-up notice X${i}/2024`, office: 'MO-EVAL', issuedAt: '2024-10-01T09:00:00Z', servedAt: '2024-10-08T09:00:00Z', serviceChannel: 'portal' }],
    });
    // The traveller's surname in the document's language (a Polish document Polonizes the register's form).
    const travellerSurnameCyr = documentLanguage === 'pl' ? listedSurname : surnameIn(documentLanguage, listedSurnameRu);
    const travellerSurname = documentSpelling(travellerSurnameCyr, documentLanguage);
    const givenIn = (l: Member[]) => {
      const m = form(l, documentLanguage)!;
      return documentLanguage === 'pl' ? foldLatin(m.text) : documentSpelling(m.text, documentLanguage);
    };
    const base = { personId, registerLanguage, documentLanguage };
    queries.push({ ...base, case: 'xlang', expect: 'hit', query: { surname: travellerSurname, givenNames: givenIn(line), dateOfBirth: dob } });
    // A brother or sister born the same day: another name of the same sex, the same first letter if there is one.
    const others = lines.filter((l) => l !== line && l[0]!.sex === sex && form(l, documentLanguage));
    const initial = givenIn(line)[0];
    const alike = others.filter((l) => givenIn(l)[0] === initial);
    queries.push({ ...base, case: 'xlang-sibling', expect: 'not-hit', query: { surname: travellerSurname, givenNames: givenIn(pick(alike.length > 0 ? alike : others)), dateOfBirth: dob } });
    // A stranger: the equivalent given name, another surname and another date.
    let other = pick(surnames);
    while (other === surname) other = pick(surnames);
    const otherSurname = documentSpelling(documentLanguage === 'pl' ? surnameIn(registerLanguage, other) : surnameIn(documentLanguage, other), documentLanguage);
    const oy = 1960 + Math.floor(r() * 47);
    const odob = `${oy}-${String(1 + Math.floor(r() * 12)).padStart(2, '0')}-${String(1 + Math.floor(r() * 28)).padStart(2, '0')}`;
    queries.push({ ...base, case: 'xlang-stranger', expect: 'clear', query: { surname: otherSurname, givenNames: givenIn(line), dateOfBirth: odob === dob ? `${oy - 1}${dob.slice(4)}` : odob } });
    // The other sex: a man's name against a woman's (Александр Морозов and Александра Морозова, twins).
    const fem = feminineSurname(surname);
    const ruGiven = form(line, 'ru')?.text ?? '';
    const counterpart = lines.find((l) => l[0]!.sex !== sex && form(l, documentLanguage) && form(l, 'ru') && (sex === 'M' ? form(l, 'ru')!.text.startsWith(ruGiven.split(',')[0]!) : ruGiven.startsWith(form(l, 'ru')!.text)));
    if (fem && counterpart) {
      const otherSexSurnameRu = sex === 'M' ? fem : surname;
      const s = documentSpelling(documentLanguage === 'pl' ? surnameIn(registerLanguage, otherSexSurnameRu) : surnameIn(documentLanguage, otherSexSurnameRu), documentLanguage);
      queries.push({ ...base, case: 'xlang-other-sex', expect: 'not-hit', query: { surname: s, givenNames: givenIn(counterpart), dateOfBirth: dob } });
    }
  }
  return { watchlist, queries };
}

function readJsonl<T>(path: string): T[] {
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((l) => l.trim().length > 0)
    .map((l) => JSON.parse(l) as T);
}

/** Reads the committed fixture. */
export function readCrossLanguageSet(dir = FIXTURE_DIR): CrossLanguageSet {
  return { watchlist: readJsonl(join(dir, 'watchlist.jsonl')), queries: readJsonl(join(dir, 'queries.jsonl')) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const sourcePath = join(SHARED, 'data/names/dev/watchlist.jsonl');
  if (!existsSync(sourcePath)) throw new Error(`the development set is needed to build the cross-language cases: ${sourcePath} not found (set ERX_SHARED)`);
  const set = buildCrossLanguageSet(readJsonl<SourcePerson>(sourcePath), Number(process.env.ERX_XLANG_PERSONS ?? 400));
  mkdirSync(FIXTURE_DIR, { recursive: true });
  writeFileSync(join(FIXTURE_DIR, 'watchlist.jsonl'), set.watchlist.map((p) => JSON.stringify(p)).join('\n') + '\n');
  writeFileSync(join(FIXTURE_DIR, 'queries.jsonl'), set.queries.map((q) => JSON.stringify(q)).join('\n') + '\n');
  console.log(`wrote ${set.watchlist.length} persons and ${set.queries.length} queries to ${FIXTURE_DIR}`);
}

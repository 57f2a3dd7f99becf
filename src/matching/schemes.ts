/**
 * The Latin readings a Cyrillic name may have met on a document or in an officer's hands.
 *
 * The published schemes come from the `iuliia` package as data: ICAO Doc 9303 (Russian passports since
 * 2013), GOST R 52535.1 (passports 2010–2013), MVD 310 and its French variant and MVD 782 (earlier
 * passports), GOST 7.79 / ISO 9 (library and Czech-like spellings, diacritics folded), BGN/PCGN,
 * BS 2979, ALA-LC and the Wikipedia convention. What no package holds are the spellings a name takes in
 * other languages' documents: German (Duden), Polish and Czech conventions, and the Ukrainian-style
 * Г→H. Those are written here as *rules* — letter tables with the contexts the language uses — and run
 * through the same `iuliia` engine (Ukrainian and Belarusian systems: ./eastSlavic.ts). Transliteration
 * has no table of particular names; the one such table in the matcher is the list of given names that
 * are one name in several languages (./givenNameEquivalents.ts), which no spelling rule could derive.
 */
import iuliia from 'iuliia';
import type { Schema } from 'iuliia';

export type Letters = Record<string, string>;

const VOWELS = ['а', 'е', 'ё', 'и', 'о', 'у', 'ы', 'э', 'ю', 'я'];
const SIGNS = ['ь', 'ъ'];
const HUSHING = ['ж', 'ш', 'ч', 'щ'];

export interface RuleScheme {
  name: string;
  /** Letter → Latin, the default in any context. */
  base: Letters;
  /** At the start of a word and after a vowel or a soft/hard sign (the iotated vowels' "J" forms). */
  initial?: Letters;
  /** At the start of a word only (Ukrainian 2010 writes Є as YE there and IE everywhere else). */
  start?: Letters;
  /** After the given consonants. */
  after?: { letters: string[]; map: Letters }[];
  /** A letter followed by the given letters (e.g. Polish л before a soft vowel is l, not ł). */
  before?: { letter: string; next: string[]; latin: string }[];
  /** Last two letters of a word. */
  ending?: Letters;
}

/** Turns a rule scheme into an `iuliia` schema: the contexts become its prev/next mappings. */
export function compile(r: RuleScheme): Schema {
  const prev = new Map<string, string>();
  const next = new Map<string, string>();
  for (const [letter, latin] of Object.entries(r.initial ?? {})) {
    prev.set(letter, latin);
    for (const p of [...VOWELS, ...SIGNS]) prev.set(p + letter, latin);
  }
  // iuliia looks a first letter up with an empty previous letter: the letter alone is its key.
  for (const [letter, latin] of Object.entries(r.start ?? {})) prev.set(letter, latin);
  for (const { letters, map } of r.after ?? []) {
    for (const p of letters) for (const [letter, latin] of Object.entries(map)) prev.set(p + letter, latin);
  }
  for (const { letter, next: following, latin } of r.before ?? []) for (const n of following) next.set(letter + n, latin);
  return new iuliia.Schema(r.name, new Map(Object.entries(r.base)), prev, next, new Map(Object.entries(r.ending ?? {})));
}

const COMMON: Letters = {
  а: 'a', б: 'b', д: 'd', з: 'z', и: 'i', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't',
  у: 'u', ф: 'f', ъ: '', ы: 'y', ь: '', э: 'e',
};

/** German (Duden): W for В, SCH, TSCH, Z for Ц, S for З, J for Й and the iotated vowels. */
const GERMAN: RuleScheme = {
  name: 'german',
  base: { ...COMMON, в: 'w', г: 'g', е: 'e', ё: 'jo', ж: 'sch', з: 's', й: 'j', х: 'ch', ц: 'z', ч: 'tsch', ш: 'sch', щ: 'schtsch', ю: 'ju', я: 'ja' },
  initial: { е: 'je' },
  after: [{ letters: HUSHING, map: { ё: 'o' } }],
  ending: { ий: 'ij', ый: 'y' },
};

/**
 * Polish: W, SZ, CZ, SZCZ, Ż, C for Ц, CH for Х; softness written with I (Siergiej, Piotr); Y after
 * hard consonants; Ł for Л except before a soft vowel or soft sign.
 */
const POLISH_LETTERS: Letters = {
  ...COMMON, в: 'w', г: 'g', е: 'ie', ё: 'io', ж: 'ż', й: 'j', л: 'ł', х: 'ch', ц: 'c', ч: 'cz', ш: 'sz', щ: 'szcz', ю: 'iu', я: 'ia',
};
const SOFT_AFTER_L = ['е', 'ё', 'и', 'ю', 'я', 'ь'];
function polish(name: string, hardL: string): RuleScheme {
  return {
    name,
    base: { ...POLISH_LETTERS, л: hardL },
    initial: { е: 'je', ё: 'jo', ю: 'ju', я: 'ja' },
    after: [
      { letters: [...HUSHING, 'ц', 'л'], map: { е: 'e', ё: 'o', ю: 'u', я: 'a' } },
      { letters: [...HUSHING, 'ц'], map: { и: 'y' } },
    ],
    before: [{ letter: 'л', next: SOFT_AFTER_L, latin: 'l' }],
    ending: { ий: 'i', ый: 'y' },
  };
}
const POLISH = polish('polish', 'l');
/**
 * Polish with Ł lost: a naive ASCII fold (Unicode decomposition, then dropping what is left) deletes
 * Ł instead of writing L, so PAWEŁ arrives as PAWE and STANISŁAW as STANISAW. A rule about one letter.
 */
const POLISH_LOST_L = polish('polish-lost-l', '');

/** Czech: V, Š, Č, Ž (folded to S, C, Z), C for Ц, CH for Х, J for Й and the iotated vowels. */
const CZECH: RuleScheme = {
  name: 'czech',
  base: { ...COMMON, в: 'v', г: 'g', е: 'e', ё: 'jo', ж: 'ž', й: 'j', х: 'ch', ц: 'c', ч: 'č', ш: 'š', щ: 'šč', ю: 'ju', я: 'ja' },
  initial: { е: 'je' },
  after: [{ letters: HUSHING, map: { ё: 'o' } }],
  ending: { ий: 'ij', ый: 'yj' },
};

/**
 * Names that came into Russian from English, Italian or Japanese, read back the way their owners
 * write them: ДЖ and ДЗ are J (Джон, Дзюн), Э is A (Кэтлин, Элвин), Х is H, КС is X.
 */
const ENGLISH: RuleScheme = {
  name: 'english',
  base: { ...COMMON, в: 'v', г: 'g', е: 'e', ё: 'yo', ж: 'zh', й: 'y', х: 'h', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', э: 'a', ю: 'yu', я: 'ya' },
  initial: { е: 'ye' },
  before: [{ letter: 'д', next: ['ж', 'з'], latin: '' }, { letter: 'к', next: ['с'], latin: 'x' }],
  after: [{ letters: ['д'], map: { ж: 'j', з: 'j' } }, { letters: ['к'], map: { с: '' } }],
  ending: { ий: 'y', ый: 'y' },
};

/** Ukrainian-style spellings of Russian names, common in English-language documents: H for Г, Y for И. */
const UKRAINIAN: RuleScheme = {
  name: 'ukrainian',
  base: { ...COMMON, в: 'v', г: 'h', е: 'e', ё: 'yo', ж: 'zh', и: 'y', й: 'y', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ю: 'yu', я: 'ya' },
  initial: { е: 'ye' },
  ending: { ий: 'yi', ый: 'yi' },
};

export interface Reading {
  scheme: string;
  schema: Schema;
  /** Rewrites the Cyrillic word before the scheme runs (for what a letter table cannot say). */
  prepare?: (word: string) => string;
}

/**
 * Polish writes the nasal vowels Ą and Ę where Russian writes ОМ/ЕМ before Б or П (Dąbrowski =
 * Домбровский, Dębicki = Дембицкий); folded, they are plain A and E.
 */
const polishNasals = (word: string) => word.replace(/ом(?=[бп])/g, 'ą').replace(/[еэ]м(?=[бп])/g, 'ę');

/** Every scheme the matcher reads a Cyrillic name with, ICAO first (it is the passport's own). */
export const SCHEMES: readonly Reading[] = [
  { scheme: 'ICAO 9303', schema: iuliia.ICAO_DOC_9303 },
  { scheme: 'GOST 52535', schema: iuliia.GOST_52535 },
  { scheme: 'MVD 310', schema: iuliia.MVD_310 },
  { scheme: 'MVD 310 FR', schema: iuliia.MVD_310_FR },
  { scheme: 'MVD 782', schema: iuliia.MVD_782 },
  { scheme: 'GOST 7.79', schema: iuliia.GOST_779 },
  { scheme: 'ISO 9:1968', schema: iuliia.ISO_9_1968 },
  { scheme: 'BGN/PCGN', schema: iuliia.BGN_PCGN },
  { scheme: 'BS 2979', schema: iuliia.BS_2979 },
  { scheme: 'Wikipedia', schema: iuliia.WIKIPEDIA },
  { scheme: 'German', schema: compile(GERMAN) },
  { scheme: 'Polish', schema: compile(POLISH), prepare: polishNasals },
  { scheme: 'Polish, Ł lost', schema: compile(POLISH_LOST_L), prepare: polishNasals },
  { scheme: 'Czech', schema: compile(CZECH) },
  { scheme: 'English', schema: compile(ENGLISH) },
  { scheme: 'Ukrainian', schema: compile(UKRAINIAN) },
];

/**
 * One word in one scheme; the result may hold diacritics (fold it). This is `iuliia`'s own engine
 * applied to a single word through the schema's public methods (the word's two-letter ending first,
 * then letter by letter with the neighbours as context): the package's sentence splitter and
 * generators cost ten times more, and a screening meets new words all the time. `iuliia` 0.8 leaves
 * ё as the Cyrillic letter in GOST 7.79, BGN/PCGN and BS 2979, whose tables mean the Latin ë: written
 * as ë here.
 */
export function transliterate(word: string, reading: Reading): string {
  const lower = word.toLowerCase();
  const w = reading.prepare ? reading.prepare(lower) : lower;
  const schema = reading.schema;
  let stem = w;
  let ending = '';
  if (w.length > 2) {
    const e = schema.translateEnding(w.slice(-2));
    if (e) {
      stem = w.slice(0, -2);
      ending = e;
    }
  }
  let out = '';
  for (let i = 0; i < stem.length; i++) {
    const curr = stem[i]!;
    out += schema.translateLetter(i > 0 ? stem[i - 1]! : '', curr, i + 1 < stem.length ? stem[i + 1]! : '') ?? curr;
  }
  return (out + ending).replace(/ё/g, 'ë');
}

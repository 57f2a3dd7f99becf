/**
 * Ukrainian and Belarusian Cyrillic: how a register in either language writes a name, and how that
 * country's documents write it in Latin letters.
 *
 * A Ukrainian register holds Олексій Ковальчук, a Belarusian one Аляксандр Кавалёў. Their passports
 * write OLEKSII (Ukraine's national system of 2010, Cabinet of Ministers resolution 55) and ALIAKSANDR,
 * KAVALIOU (the Belarusian passport spelling); older or foreign documents of the same person were written
 * from the Russian form (ALEKSANDR KOVALEV). So a word with a letter only Ukrainian or Belarusian uses
 * (і ї є ґ ў, the apostrophe) is read
 *  - in its own language's systems: Ukrainian national 2010; Belarusian passport, national 2007
 *    (diacritics folded) and BGN/PCGN 1979 (Ў as W);
 *  - and, with those letters written the Russian way (і → и, ї → йи, є → е, ґ → г, ў → в, ' → ь), in
 *    every scheme a Russian name is read in (./schemes.ts): how a Soviet or Russian office wrote it.
 * A word with only the letters the three languages share (Микола, Сяргей, Гнатюк) is read in the
 * Russian schemes alone, whose Ukrainian-style reading (Г as H, И as Y) already gives HNATIUK and
 * SIARHEI. Like ./schemes.ts these are letter tables with their contexts, not tables of names.
 */
import { compile, type Letters, type Reading, type RuleScheme } from './schemes.js';

/** Letters of Ukrainian or Belarusian that Russian does not write. */
const NOT_RUSSIAN = /[іїєґўʼ'’]/;
/** Letters Ukrainian does not write (a word with one is not read in the Ukrainian system). */
const NOT_UKRAINIAN = /[ўыэёъ]/;
/** Letters Belarusian does not write. */
const NOT_BELARUSIAN = /[иїєґщъ]/;

const VOWELS = ['а', 'е', 'ё', 'є', 'и', 'і', 'ї', 'о', 'у', 'ы', 'э', 'ю', 'я'];
const APOSTROPHES = ["'", 'ʼ', '’'];
/** Letters before which Belarusian Ц and ДЗ stand for a soft Т and Д (Цімафей = Тимофей, Дзяніс = Денис). */
const BELARUSIAN_SOFT = ['і', 'е', 'ё', 'ю', 'я', 'ь'];

const SHARED: Letters = {
  а: 'a', б: 'b', в: 'v', д: 'd', з: 'z', к: 'k', л: 'l', м: 'm', н: 'n', о: 'o', п: 'p', р: 'r', с: 's', т: 't', у: 'u', ф: 'f', ь: '',
  "'": '', 'ʼ': '', '’': '',
};

/**
 * Ukrainian national transliteration (2010): Г H, Ґ G, И Y, І I, Х KH; Є Ї Й Ю Я as YE YI Y YU YA at the
 * start of a word and IE I I IU IA elsewhere; ЗГ as ZGH (so it is not read as ZH); the apostrophe and
 * the soft sign are not written.
 */
const UKRAINIAN_2010: RuleScheme = {
  name: 'ukrainian-2010',
  base: {
    ...SHARED, г: 'h', ґ: 'g', е: 'e', є: 'ie', ж: 'zh', и: 'y', і: 'i', ї: 'i', й: 'i', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', щ: 'shch', ю: 'iu', я: 'ia',
  },
  start: { є: 'ye', ї: 'yi', й: 'y', ю: 'yu', я: 'ya' },
  after: [{ letters: ['з'], map: { г: 'gh' } }],
};

/**
 * Belarusian passports: Г H, Х KH, Ж ZH, Ц TS, Ч CH, Ш SH, Ў U, Й I, Ы Y, Э E; Е Ё Ю Я as E IO IU IA
 * after a consonant and YE YO YU YA at the start and after a vowel (ALIAKSANDR, SIARHEI, KAVALIOU,
 * YAUHEN).
 */
const BELARUSIAN_PASSPORT: RuleScheme = {
  name: 'belarusian-passport',
  base: { ...SHARED, г: 'h', е: 'e', ё: 'io', ж: 'zh', і: 'i', й: 'i', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', ў: 'u', ы: 'y', э: 'e', ю: 'iu', я: 'ia' },
  initial: { е: 'ye', ё: 'yo', ю: 'yu', я: 'ya' },
};

/**
 * Belarusian national system (2007, the one for geographic names): Ž Č Š Ŭ C (folded to Z C S U C),
 * CH for Х, J for Й and for the iotated vowels at the start and after a vowel, I after a consonant.
 */
const BELARUSIAN_NATIONAL: RuleScheme = {
  name: 'belarusian-national',
  base: { ...SHARED, г: 'h', е: 'ie', ё: 'io', ж: 'ž', і: 'i', й: 'j', х: 'ch', ц: 'c', ч: 'č', ш: 'š', ў: 'ŭ', ы: 'y', э: 'e', ю: 'iu', я: 'ia' },
  initial: { е: 'je', ё: 'jo', ю: 'ju', я: 'ja' },
  after: [{ letters: ['ж', 'ш', 'ч', 'ц', 'р'], map: { е: 'e', ё: 'o', ю: 'u', я: 'a' } }],
};

/** BGN/PCGN for Belarusian (1979): Ў as W, Й as Y, KH, TS, CH, SH, ZH; YE YO YU YA at the start and after a vowel. */
const BELARUSIAN_BGN: RuleScheme = {
  name: 'belarusian-bgn',
  base: { ...SHARED, г: 'h', е: 'e', ё: 'ë', ж: 'zh', і: 'i', й: 'y', х: 'kh', ц: 'ts', ч: 'ch', ш: 'sh', ў: 'w', ы: 'y', э: 'e', ю: 'yu', я: 'ya' },
  initial: { е: 'ye', ё: 'yo' },
};

export const UKRAINIAN_SCHEMES: readonly Reading[] = [{ scheme: 'Ukrainian 2010', schema: compile(UKRAINIAN_2010) }];

export const BELARUSIAN_SCHEMES: readonly Reading[] = [
  { scheme: 'Belarusian passport', schema: compile(BELARUSIAN_PASSPORT) },
  { scheme: 'Belarusian national 2007', schema: compile(BELARUSIAN_NATIONAL) },
  { scheme: 'BGN/PCGN Belarusian', schema: compile(BELARUSIAN_BGN) },
];

/**
 * A word that may be Belarusian with Ц and ДЗ standing for a soft Т and Д, even without a letter only
 * Belarusian writes (Орціна = Ортина, Младзенава = Младенова): that reading, for ICAO 9303 alone; undefined
 * when the word has no such Ц or ДЗ.
 */
export function withoutTsekanne(word: string): string | undefined {
  const w = word.toLowerCase();
  if (!/дз[іеёюяь]|ц[іеёюяь]/.test(w)) return undefined;
  return russified(w.replace(/дз(?=[іеёюяь])/g, 'д').replace(/ц(?=[іеёюяь])/g, 'т'));
}

/** Whether a Cyrillic word has a letter of Ukrainian or Belarusian that Russian does not write. */
export function isUkrainianOrBelarusian(word: string): boolean {
  return NOT_RUSSIAN.test(word.toLowerCase());
}

/** The languages a word with a Ukrainian or Belarusian letter may be in, as its letters allow. */
export function languagesOf(word: string): { ukrainian: boolean; belarusian: boolean } {
  const w = word.toLowerCase();
  return { ukrainian: !NOT_UKRAINIAN.test(w), belarusian: !NOT_BELARUSIAN.test(w) };
}

/**
 * The word with its Ukrainian and Belarusian letters written as Russian writes them, for the Russian
 * schemes: і → и, ї → йи, є → е, ґ → г, ў → в, the apostrophe → ь (Дар'я = Дарья, Мар'ян = Марьян).
 * Лукашэнка stays (э is Russian too). In a word only Belarusian writes so, Ц and ДЗ before a soft vowel
 * are the soft Т and Д they stand for (Цітоў = Титов, Лебедзеў = Лебедев).
 */
export function russified(word: string): string {
  let out = '';
  const w = word.toLowerCase();
  // A word only Belarusian writes so (ў, or і beside ы or э) has цеканне and дзеканне to undo.
  const belarusian = /ў/.test(w) || (/і/.test(w) && /[ыэ]/.test(w));
  for (let i = 0; i < w.length; i++) {
    const c = w[i]!;
    const next = w[i + 1] ?? '';
    if (belarusian && c === 'ц' && BELARUSIAN_SOFT.includes(next)) out += 'т';
    else if (belarusian && c === 'д' && next === 'з' && BELARUSIAN_SOFT.includes(w[i + 2] ?? '')) {
      out += 'д';
      i++;
    } else if (c === 'і') out += 'и';
    else if (c === 'ї') out += 'йи';
    else if (c === 'є') out += 'е';
    else if (c === 'ґ') out += 'г';
    else if (c === 'ў') out += 'в';
    else if (APOSTROPHES.includes(c)) out += VOWELS.includes(w[i + 1] ?? '') ? 'ь' : '';
    else out += c;
  }
  return out;
}

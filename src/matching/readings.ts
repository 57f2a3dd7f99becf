/**
 * The comparable forms of one name word: for a Cyrillic word, its Latin reading in every supported
 * scheme, each reduced to its skeleton (distinct skeletons only, with the schemes that give each); for a
 * Latin word, its own skeleton. Readings are cached per word: a register of ten million persons holds a
 * few hundred thousand distinct name words, and a screening meets the same ones again and again.
 */
import { BELARUSIAN_SCHEMES, isUkrainianOrBelarusian, languagesOf, russified, UKRAINIAN_SCHEMES, withoutTsekanne } from './eastSlavic.js';
import { foldLatin, hasCyrillic } from './latin.js';
import { SCHEMES, transliterate, type Reading } from './schemes.js';
import { skeleton } from './skeleton.js';
import { workCounters } from './workCounters.js';

export interface Form {
  /** The skeleton compared. */
  skeleton: string;
  /** The Latin spelling it came from (the first scheme's). */
  latin: string;
  /** Schemes that give this skeleton, e.g. ["ICAO 9303", "MVD 310"]. */
  schemes: string[];
}

/** Words of a name: split on spaces, hyphens and MRZ fillers; apostrophes stay inside a word. */
export function wordsOf(name: string | undefined): string[] {
  if (!name) return [];
  return name
    .split(/[\s\-‐‑‒–—<,.;:/]+/u)
    .filter((w) => w.length > 0);
}

const formCache = new Map<string, Form[]>();
const FORM_CACHE_LIMIT = 200_000;

/** Bounded caches: past the limit the oldest tenth goes (a Map iterates in insertion order). */
function remember<V>(cache: Map<string, V>, key: string, value: V): void {
  if (cache.size >= FORM_CACHE_LIMIT) {
    let drop = FORM_CACHE_LIMIT / 10;
    for (const k of cache.keys()) {
      cache.delete(k);
      if (--drop <= 0) break;
    }
  }
  cache.set(key, value);
}

/**
 * The forms of one word, in either script; the first form is the ICAO 9303 reading of a Russian word, the
 * national passport reading of a Ukrainian or Belarusian one.
 */
export function formsOf(word: string): Form[] {
  const cached = formCache.get(word);
  if (cached) return cached;
  workCounters.formsComputed++;
  let forms: Form[];
  if (hasCyrillic(word)) {
    const bySkeleton = new Map<string, Form>();
    for (const [reading, written] of readingsOf(word)) {
      const { scheme } = reading;
      const latin = foldLatin(transliterate(written, reading)).replace(/ /g, '');
      if (!latin) continue;
      const skel = skeleton(latin);
      const form = bySkeleton.get(skel);
      if (form) form.schemes.push(scheme);
      else bySkeleton.set(skel, { skeleton: skel, latin, schemes: [scheme] });
    }
    forms = [...bySkeleton.values()];
  } else {
    // A name the register holds in Latin letters: as written (diacritics folded), and as ICAO 9303
    // writes its letters in a passport's MRZ (Müller → MUELLER, Ødegård → OEDEGAARD).
    forms = [];
    for (const [latin, scheme] of [
      [foldLatin(word).replace(/ /g, ''), 'as written'],
      [foldLatin(expandForMrz(word)).replace(/ /g, ''), 'ICAO 9303 MRZ'],
    ] as const) {
      if (latin && !forms.some((f) => f.latin === latin)) forms.push({ skeleton: skeleton(latin), latin, schemes: [scheme] });
    }
  }
  remember(formCache, word, forms);
  return forms;
}

/**
 * The schemes a Cyrillic word is read in, each with the word as that scheme reads it: a Russian word in
 * the Russian schemes; a word with a Ukrainian or Belarusian letter in its own language's systems and,
 * written the Russian way, in the Russian schemes (./eastSlavic.ts).
 */
function readingsOf(word: string): [Reading, string][] {
  const tsekanne = withoutTsekanne(word);
  const more: [Reading, string][] = tsekanne ? [[TSEKANNE_UNDONE, tsekanne]] : [];
  if (!isUkrainianOrBelarusian(word)) return [...SCHEMES.map((r): [Reading, string] => [r, word]), ...more];
  const { ukrainian, belarusian } = languagesOf(word);
  const own = [...(ukrainian ? UKRAINIAN_SCHEMES : []), ...(belarusian ? BELARUSIAN_SCHEMES : [])].map((r): [Reading, string] => [r, word]);
  const russian = russified(word);
  return [...own, ...SCHEMES.map((r): [Reading, string] => [r, russian]), ...more];
}

/** ICAO 9303 of a word whose Belarusian Ц and ДЗ before a soft vowel were read as Т and Д (eastSlavic.ts). */
const TSEKANNE_UNDONE: Reading = { scheme: 'ICAO 9303, Belarusian Ц ДЗ as Т Д', schema: SCHEMES[0]!.schema };

/**
 * Every Latin spelling (folded) a Cyrillic word is given by the schemes it is read in, with the scheme:
 * unlike formsOf, spellings with one skeleton are all kept.
 */
export function latinReadings(word: string): { latin: string; scheme: string }[] {
  return readingsOf(word).map(([reading, written]) => ({ latin: foldLatin(transliterate(written, reading)).replace(/ /g, ''), scheme: reading.scheme }));
}

/** ICAO 9303's MRZ transliteration of the Latin letters it writes as two (part 3, section 6). */
const MRZ_EXPANSIONS: readonly [RegExp, string][] = [
  [/[Ää]/g, 'AE'], [/[Öö]/g, 'OE'], [/[Üü]/g, 'UE'], [/ß/g, 'SS'], [/[Åå]/g, 'AA'], [/[Øø]/g, 'OE'], [/[Ææ]/g, 'AE'], [/[Ĳĳ]/g, 'IJ'],
];

function expandForMrz(word: string): string {
  return MRZ_EXPANSIONS.reduce((w, [from, to]) => w.replace(from, to), word);
}

/** Belarusian Ў written U (see LATIN_READINGS), and as a global pattern; keys.ts codes the same reading. */
export const BELARUSIAN_U = /[AE]U(?=[BCDFGHKLMNPRSTVZ]|$)|OU$|[AEIOY]U(?=SK)/;
const BELARUSIAN_U_ALL = /([AE])U(?=[BCDFGHKLMNPRSTVZ]|$)|(O)U$|([AEIOY])U(?=SK)/g;

/** A Latin surname with Belarusian Ў, Ц and ДЗ read the Russian way (MAROZAU → MAROZAV, TSITOU → TITOV): for its index code. */
export function belarusianAsRussian(word: string): string {
  if (POLISH_SPELLING.test(word)) return word;
  return word.replace(BELARUSIAN_U_ALL, '$1$2$3V').replace(/(T)S(?=[IEY])|(D)Z(?=[IEY])/g, '$1$2');
}

/**
 * Ways a Latin spelling may be read that the skeleton alone does not cover, each a rule about how
 * Latin alphabets write Russian sounds, or how Russian writes foreign names. A Latin word gets a form
 * for every combination of the rules that apply to it (at most MAX_LATIN_FORMS).
 */
/** A Polish spelling (W, SZ, CZ, RZ): the Belarusian readings below are not tried on it, nor on what other rules made of it. */
const POLISH_SPELLING = /W|SZ|CZ|RZ/;

const LATIN_READINGS: readonly { test: RegExp; from: RegExp; to: string; how: string; notPolish?: boolean }[] = [
  // English and French write К as C before A, O, U, a consonant or at the end (CULKIN, MARC, VICTOR).
  { test: /C(?![HZKEIY])/, from: /C(?![HZKEIY])/g, to: 'K', how: 'C read as К' },
  // ... and С as C before E, I, Y (CELINE).
  { test: /C(?=[EIY])/, from: /C(?=[EIY])/g, to: 'S', how: 'C read as С' },
  // Latvian, Lithuanian and Latin add a nominative ending to a name (LEONIDS, JEVGENIJS, VALENTINUS).
  { test: /^.{4,}(US|[^S]S)$/, from: /(US|(?<=[^S])S)$/, to: '', how: 'nominative ending dropped' },
  // Russian writes English W as У and English and French AU as О (Уоллин = WALLIN, Остин = AUSTIN).
  { test: /W/, from: /W/g, to: 'U', how: 'W read as У' },
  { test: /AU/, from: /AU/g, to: 'O', how: 'AU read as О' },
  // English and Italian soft G and Macedonian GJ are ДЖ (Джина = GINA, Элджин = ELGIN).
  { test: /G[EIY]|GJ/, from: /GJ|G(?=[EIY])/g, to: 'J', how: 'soft G read as ДЖ' },
  // Russian writes a Chinese final NG as Н (Пин = PING); Latin QU is КВ (Квинтин = QUINTIN).
  { test: /NG(?![AEIOUY])/, from: /NG(?![AEIOUY])/g, to: 'N', how: 'NG read as Н' },
  { test: /QU/, from: /QU/g, to: 'KV', how: 'QU read as КВ' },
  // French (and MVD 310 FR) write Ж as J before a vowel (JOJOV = Жожов, JANNA = Жанна).
  { test: /J(?=[AEIOUY])/, from: /J(?=[AEIOUY])/g, to: 'ZH', how: 'French J read as Ж' },
  // Polish RZ is the sound of Ж, or of Ш after a voiceless consonant (Хшановский = CHRZANOWSKI).
  { test: /RZ/, from: /RZ/g, to: 'Z', how: 'Polish RZ read as Ż' },
  // Belarusian Ў, written U in passports, stands where Russian and Ukrainian write В: after A or E
  // before a consonant or at the end, after O at the end (MAROZAU = Морозов, SHAUCHENKA = Шевченко,
  // KAVALIOU = Ковалёв). IU is Ю and OU before a consonant is the French У (IOURI): neither is read so,
  // Before -SK- (-ЎСКІ, -ЎСКАЯ: KALINOUSKI = Калиновский, ZALIUSKI = Заливский) after any vowel. Not in a
  // Polish spelling, which writes В as W.
  { test: BELARUSIAN_U, from: BELARUSIAN_U_ALL, to: '$1$2$3V', how: 'Belarusian Ў read as В', notPolish: true },
  // Belarusian writes Ц and ДЗ where Russian and Ukrainian write a soft Т and Д (цеканне, дзеканне:
  // TSIMUR = Тимур, DZEMENTSEU = Дементьев), before I, E and Y in passport spelling.
  // Not in a Polish spelling, where DZ is the ДЗ of Модзелевский (MODZELEWSKI).
  { test: /TS(?=[IEY])|DZ(?=[IEY])/, from: /(T)S(?=[IEY])|(D)Z(?=[IEY])/g, to: '$1$2', how: 'Belarusian Ц, ДЗ read as Т, Д', notPolish: true },
];
const MAX_LATIN_FORMS = 16;

/** The forms of a Latin word as a traveller's document or an officer gives it, as written first. */
export function latinForms(word: string): Form[] {
  const cached = latinCache.get(word);
  if (cached) return cached;
  workCounters.latinFormsComputed++;
  const latin = foldLatin(word).replace(/ /g, '');
  let spellings: { latin: string; how: string }[] = latin ? [{ latin, how: 'as written' }] : [];
  const polish = POLISH_SPELLING.test(latin);
  for (const rule of LATIN_READINGS) {
    if (rule.notPolish && polish) continue;
    const more: typeof spellings = [];
    for (const sp of spellings) {
      if (spellings.length + more.length >= MAX_LATIN_FORMS) break;
      if (!rule.test.test(sp.latin)) continue;
      const rewritten = sp.latin.replace(rule.from, rule.to);
      if (rewritten && rewritten !== sp.latin) more.push({ latin: rewritten, how: sp.how === 'as written' ? rule.how : `${sp.how}, ${rule.how}` });
    }
    spellings = spellings.concat(more);
  }
  const out = new Map<string, Form>();
  for (const sp of spellings) {
    const skel = skeleton(sp.latin);
    const f = out.get(skel);
    if (f) f.schemes.push(sp.how);
    else out.set(skel, { skeleton: skel, latin: sp.latin, schemes: [sp.how] });
  }
  const forms = [...out.values()];
  remember(latinCache, word, forms);
  return forms;
}
const latinCache = new Map<string, Form[]>();

const icaoCache = new Map<string, string>();

/**
 * The skeleton of a word's ICAO 9303 reading alone (or of a Latin word as written): a cheap first look
 * at a candidate, before all its readings are worked out.
 */
export function icaoSkeleton(word: string): string {
  const cached = icaoCache.get(word);
  if (cached !== undefined) return cached;
  const latin = hasCyrillic(word) ? foldLatin(transliterate(isUkrainianOrBelarusian(word) ? russified(word) : word, SCHEMES[0]!)) : foldLatin(word);
  const skel = skeleton(latin.replace(/ /g, '')) ;
  remember(icaoCache, word, skel);
  return skel;
}

/**
 * Index codes: a coarse consonant code of a name word, the same whether it is computed from the
 * register's Cyrillic or from any Latin spelling of it, so that a few exact-match keys per person find
 * a traveller under any transliteration.
 *
 * Each Cyrillic consonant falls into a sound class, and every Latin spelling of that consonant maps to
 * the same class: В and W/V → V; С, З, Ж, Ш, Щ (S, Z, SH, SZ, SCH, ZH, SHCH, SZCZ, …) → S; Ц and Ч
 * (TS, TZ, C, CH, CZ, TCH, TSCH) → C; Г and Х (G, H, KH, GH) → G; К (K, C, CK, Q) → K. Vowels, Й and
 * the signs carry no class: they are where schemes disagree most. Repeated classes collapse (ФФ, SS).
 *
 * Latin is ambiguous where Cyrillic is not — CH is Ч in English, Х in German, Ш in French; C is Ц in
 * Polish and К in English; J is Й in German and Ж in French; Z is З, or Ц in German — so a Latin word
 * gives a few codes, most likely first, and the query looks each of them up.
 */

import { Memo } from './memo.js';

const CYRILLIC_CLASS: Readonly<Record<string, string>> = {
  б: 'B', п: 'P', в: 'V', ф: 'F', д: 'D', т: 'T', з: 'S', с: 'S', ж: 'S', ш: 'S', щ: 'S', ц: 'C', ч: 'C', к: 'K',
  г: 'G', х: 'G', л: 'L', м: 'M', н: 'N', р: 'R',
  // Ukrainian Ґ is a G; Belarusian Ў stands where Russian and Ukrainian write В (Марозаў = Морозов,
  // Шаўчэнка = Шевченко), so a Belarusian register's names get the keys of their Russian forms.
  ґ: 'G', ў: 'V',
};

/** Vowels (and the soft sign) before which Belarusian Ц and ДЗ stand for a soft Т and Д. */
const SOFT = 'іеёюяь';

/** Stands for the class of a word with no consonant at all. */
export const NO_CLASS = '_';
/** Every class a word's first consonant can have, and NO_CLASS. */
export const ALL_CLASSES: readonly string[] = [...new Set(Object.values(CYRILLIC_CLASS)), NO_CLASS];

/** The code of a Cyrillic word (its first `length` classes). */
export function cyrillicCode(word: string, length: number): string {
  const w = word.toLowerCase();
  // A Belarusian (or Ukrainian) word: Ц and ДЗ before a soft vowel are the soft Т and Д of the Russian
  // form (Цітоў = Титов, Дзяніс = Денис), coded so that a Russian spelling finds it.
  const belarusian = /[іў]/.test(w);
  let code = '';
  for (let i = 0; i < w.length && code.length < length; i++) {
    const ch = w[i]!;
    let cls = CYRILLIC_CLASS[ch];
    if (belarusian && ch === 'ц' && SOFT.includes(w[i + 1] ?? '')) cls = 'T';
    else if (belarusian && ch === 'д' && w[i + 1] === 'з' && SOFT.includes(w[i + 2] ?? '')) {
      cls = 'D';
      i++;
    } else if (ch === 'д' && (w[i + 1] === 'ж' || w[i + 1] === 'з')) continue; // ДЖ and ДЗ are one sound (J in Latin spellings: Джон, Дзюн).
    if (cls && code[code.length - 1] !== cls) code += cls;
  }
  return code;
}

/** Latin graphemes, longest first, each with its possible classes, most likely first ('' = no class). */
const GRAPHEMES: readonly [string, readonly string[]][] = [
  ['SCHTSCH', ['S']], ['SHTSCH', ['S']], ['STSCH', ['S']], ['CHTCH', ['S']], ['SHTCH', ['S']],
  ['SHCH', ['S']], ['SZCZ', ['S']], ['TSCH', ['C']], ['DSCH', ['S']], ['DZH', ['S']],
  ['SCH', ['S']], ['TCH', ['C']], ['TSH', ['C']],
  ['SH', ['S']], ['SZ', ['S']], ['ZH', ['S']], ['CZ', ['C']], ['TS', ['C']], ['TZ', ['C']], ['TC', ['C']],
  ['DJ', ['S', 'D']], ['DZ', ['S', 'DS']], ['CH', ['C', 'G', 'S']], ['KH', ['G']], ['GH', ['G']], ['PH', ['F']], ['TH', ['T']],
  ['CK', ['CK', 'K']], ['KS', ['KS']], ['X', ['KS']], ['Q', ['K']],
  ['B', ['B']], ['P', ['P']], ['V', ['V']], ['W', ['V', '']], ['F', ['F', 'V']], ['D', ['D']], ['T', ['T']],
  ['S', ['S']], ['Z', ['S', 'C']], ['K', ['K']], ['G', ['G']], ['H', ['G']], ['L', ['L']], ['M', ['M']], ['N', ['N']], ['R', ['R']],
  ['J', ['', 'S']], ['A', ['']], ['E', ['']], ['I', ['']], ['O', ['']], ['U', ['']], ['Y', ['']],
];
const BY_FIRST = new Map<string, [string, readonly string[]][]>();
for (const g of GRAPHEMES) {
  const list = BY_FIRST.get(g[0][0]!) ?? [];
  list.push(g);
  BY_FIRST.set(g[0][0]!, list);
}

const VOWEL = /[AEIOUY]/;

function classesAt(word: string, i: number): [number, readonly string[]] {
  const c = word[i]!;
  // German lengthening H between a vowel and a consonant is silent (FUHRICH = Фюрих, DAHLIN = Далин);
  // Ukrainian-style H for Г is not (BOHDAN = Богдан).
  if (c === 'H' && i > 0 && VOWEL.test(word[i - 1]!) && i + 1 < word.length && !VOWEL.test(word[i + 1]!)) return [1, ['', 'G']];
  // Russian writes a Chinese final NG as Н (Пин = PING).
  if (c === 'N' && word[i + 1] === 'G' && (i + 2 === word.length || !VOWEL.test(word[i + 2]!))) return [2, ['NG', 'N']];
  if (c === 'C') {
    // A lone C: Ц/Ч (Polish, Czech), К (English, French), or С before a front vowel (English, French).
    for (const [g, cls] of BY_FIRST.get('C')!) if (word.startsWith(g, i)) return [g.length, cls];
    return [1, /[EIY]/.test(word[i + 1] ?? '') ? ['C', 'S', 'K'] : ['K', 'C']];
  }
  for (const [g, cls] of BY_FIRST.get(c) ?? []) if (word.startsWith(g, i)) return [g.length, cls];
  return [1, ['']];
}

/**
 * The codes a folded Latin word (A–Z) may have, most likely first: at most `max`, each of its first
 * `length` classes. The first code reads every grapheme its most likely way.
 */
export function latinCodes(word: string, length: number, max: number): string[] {
  return codeMemo.get(`${length}|${max}|${word}`, () => computeLatinCodes(word, length, max));
}
const codeMemo = new Memo<string[]>(50_000);

function computeLatinCodes(word: string, length: number, max: number): string[] {
  interface Partial {
    code: string;
    at: number;
    /** How many less likely readings were taken: fewer first. */
    cost: number;
  }
  let frontier: Partial[] = [{ code: '', at: 0, cost: 0 }];
  const done = new Map<string, number>();
  while (frontier.length > 0) {
    const next: Partial[] = [];
    for (const p of frontier) {
      if (p.at >= word.length || p.code.length >= length) {
        const prev = done.get(p.code);
        if (prev === undefined || p.cost < prev) done.set(p.code, p.cost);
        continue;
      }
      const [len, classes] = classesAt(word, p.at);
      classes.forEach((cls, rank) => {
        let code = p.code;
        for (const c of cls) if (code[code.length - 1] !== c) code += c;
        next.push({ code: code.slice(0, length), at: p.at + len, cost: p.cost + rank });
      });
    }
    next.sort((a, b) => a.cost - b.cost);
    frontier = next.slice(0, max * 4);
  }
  return [...done.entries()]
    .sort((a, b) => a[1] - b[1])
    .slice(0, max)
    .map(([code]) => code);
}

/**
 * The classes the first consonant of the Cyrillic surname may have, read from the traveller's Latin
 * surname words, likeliest first: every reading of each word's first consonant grapheme, and the
 * letters Latin spellings lose or write another way at the start of a word — a Polish Ł lost in an
 * ASCII fold before an initial vowel (ASKI = Лаский), CH read as К (CHRISTINE = Кристин), soft G and GJ
 * as ДЖ (GINA = Джина).
 */
export function latinFirstClasses(words: string[]): string[] {
  const out = new Set<string>();
  for (const w of words.length > 1 ? [words.join(''), ...words] : words) {
    for (const c of latinCodes(w, 1, 4)) out.add(c || NO_CLASS);
  }
  for (const w of words) {
    if (/^[AEIOUY]/.test(w)) out.add('L');
    if (w.startsWith('CH')) out.add('K');
    if (/^G[EIYJ]/.test(w)) out.add('S');
  }
  return [...out];
}

/**
 * Bringing names from either script to one comparable Latin form. Cyrillic goes through ICAO Doc 9303
 * (the scheme of current Russian passports) from the `iuliia` package, which holds the schemes as data.
 */
import iuliia from 'iuliia';
import { isUkrainianOrBelarusian, russified } from './eastSlavic.js';

/**
 * Latin letters that Unicode does not decompose into a base letter plus a mark, so NFKD alone would
 * drop them: ICAO 9303 part 3 (and common sense) write them as these base letters.
 */
const UNDECOMPOSABLE: Readonly<Record<string, string>> = {
  Ł: 'L', ł: 'l', Đ: 'D', đ: 'd', Ø: 'O', ø: 'o', Æ: 'AE', æ: 'ae', Œ: 'OE', œ: 'oe', ß: 'SS', Þ: 'TH', þ: 'th',
  Ð: 'D', ð: 'd', Ħ: 'H', ħ: 'h', ı: 'i', Ŀ: 'L', ŀ: 'l', Ŧ: 'T', ŧ: 't',
};
const UNDECOMPOSABLE_RE = new RegExp(`[${Object.keys(UNDECOMPOSABLE).join('')}]`, 'g');
/** Apostrophes and prime marks stand for a soft or hard sign inside a word (IL'IN, Ilʹin): they join, not split. */
const WORD_INTERNAL = /[\u0027\u0060\u00b4\u02b9\u02ba\u02bb\u02bc\u02bd\u02c8\u2018\u2019\u201b\u2032\u2033]/g;

/** Uppercase A–Z words separated by single spaces; diacritics folded, apostrophes joined, other punctuation dropped. */
export function foldLatin(text: string): string {
  if (/^[A-Za-z]+$/.test(text)) return text.toUpperCase();
  return text
    .replace(UNDECOMPOSABLE_RE, (c) => UNDECOMPOSABLE[c] ?? c)
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .replace(WORD_INTERNAL, '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim();
}

const CYRILLIC = /[\u0400-\u04FF]/;

export function hasCyrillic(text: string): boolean {
  return CYRILLIC.test(text);
}

/** ICAO 9303 Latin capitals for a name in any script. */
export function icaoLatin(name: string): string {
  // Ukrainian and Belarusian letters are written the Russian way first (і → и, ў → в): ICAO 9303's Russian table has none of them.
  const cyrillic = isUkrainianOrBelarusian(name) ? russified(name) : name.toLowerCase();
  const latin = CYRILLIC.test(name) ? iuliia.translate(cyrillic, iuliia.ICAO_DOC_9303) : name;
  return foldLatin(latin);
}

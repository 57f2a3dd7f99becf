/**
 * Bringing names from either script to one comparable Latin form. Cyrillic goes through ICAO Doc 9303
 * (the scheme of current Russian passports) from the `iuliia` package, which holds the schemes as data.
 */
import iuliia from 'iuliia';

/** Uppercase A–Z words separated by single spaces; diacritics folded, punctuation dropped. */
export function foldLatin(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toUpperCase()
    .replace(/[^A-Z]+/g, ' ')
    .trim();
}

const CYRILLIC = /[\u0400-\u04FF]/;

/** ICAO 9303 Latin capitals for a name in any script. */
export function icaoLatin(name: string): string {
  const latin = CYRILLIC.test(name) ? iuliia.translate(name, iuliia.ICAO_DOC_9303) : name;
  return foldLatin(latin);
}

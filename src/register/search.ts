/**
 * Finding a person in the register by what an operator types: a name in either script (ИВАНОВ ЮРИЙ,
 * IVANOV YURIY), a document number, or a person id.
 *
 * The store keeps a few search keys per person (`personSearchKeys`), so a search is an index lookup
 * followed by ranking a bounded set, never a scan. Name keys use the matcher's consonant codes
 * (matching/codes.ts), which come out the same from the register's Cyrillic and from any Latin spelling
 * of it; ranking compares the words' skeletons.
 */
import { cyrillicCode, latinCodes } from '../matching/codes.js';
import { foldLatin, hasCyrillic } from '../matching/latin.js';
import { icaoSkeleton, wordsOf } from '../matching/readings.js';
import type { Person } from '../domain/types.js';

const SURNAME_CODE = 4;
const GIVEN_CODE = 3;
/** Candidates read from the index before ranking: enough for the commonest surname + given name. */
export const SEARCH_CANDIDATES = 500;

export const documentKey = (number: string) => `d:${number.toUpperCase().replace(/[^A-Z0-9]/g, '')}`;

/** The keys a person is found by: a surname code, the surname + first given name codes, each document number. */
export function personSearchKeys(p: Pick<Person, 'surname' | 'givenNames' | 'documents'>): string[] {
  const keys = new Set<string>();
  const surname = cyrillicOrLatinCodes(wordsOf(p.surname)[0] ?? '', SURNAME_CODE)[0];
  const given = cyrillicOrLatinCodes(wordsOf(p.givenNames)[0] ?? '', GIVEN_CODE)[0];
  if (surname) {
    keys.add(`n:${surname}`);
    if (given) keys.add(`ng:${surname}:${given}`);
  }
  for (const d of p.documents) keys.add(documentKey(d.number));
  return [...keys];
}

function cyrillicOrLatinCodes(word: string, length: number): string[] {
  if (!word) return [];
  if (hasCyrillic(word)) return [cyrillicCode(word, length)].filter(Boolean);
  const folded = foldLatin(word).replace(/ /g, '');
  return folded ? latinCodes(folded, length, 2).filter(Boolean) : [];
}

export interface SearchPlan {
  /** Keys to look up, most specific first. */
  keys: string[];
  words: string[];
}

/** What to look up for a query: document/person-id keys for one token with a digit, name keys otherwise. */
export function searchPlan(query: string): SearchPlan {
  const trimmed = query.trim();
  const words = wordsOf(trimmed);
  const keys: string[] = [];
  if (/\d/.test(trimmed) && !/\s/.test(trimmed)) keys.push(documentKey(trimmed));
  const codes = words.map((w) => ({ surname: cyrillicOrLatinCodes(w, SURNAME_CODE), given: cyrillicOrLatinCodes(w, GIVEN_CODE) }));
  // Word order is unknown (surname first in the register, often given name first when typed): try each pair.
  for (let i = 0; i < codes.length; i++) {
    for (let j = 0; j < codes.length; j++) {
      if (i === j) continue;
      for (const s of codes[i]!.surname) for (const g of codes[j]!.given) keys.push(`ng:${s}:${g}`);
    }
  }
  for (const c of codes) for (const s of c.surname) keys.push(`n:${s}`);
  return { keys: [...new Set(keys)], words };
}

/** How well a person answers the query: exact id or document first, then words whose skeletons agree. */
export function searchScore(p: Person, query: string, words: string[]): number {
  const q = query.trim().toUpperCase();
  if (p.personId.toUpperCase() === q) return 100;
  if (p.documents.some((d) => documentKey(d.number) === documentKey(q))) return 90;
  const own = [p.surname, p.givenNames, p.patronymic ?? ''].flatMap(wordsOf).map(icaoSkeleton);
  let score = 0;
  for (const w of words) {
    const s = icaoSkeleton(w);
    if (own.includes(s)) score += 10;
    else if (own.some((o) => o.startsWith(s) || s.startsWith(o))) score += 5;
  }
  return score;
}

/** Ranks the candidates the index gave; ties by surname then id, so the order is stable. */
export function rankSearch(candidates: Person[], query: string, limit: number): Person[] {
  const { words } = searchPlan(query);
  return candidates
    .map((p) => ({ p, score: searchScore(p, query, words) }))
    .filter((x) => x.score > 0)
    .sort((a, b) => b.score - a.score || a.p.surname.localeCompare(b.p.surname) || a.p.personId.localeCompare(b.p.personId))
    .slice(0, limit)
    .map((x) => x.p);
}

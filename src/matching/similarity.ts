/**
 * How alike two name words are, 0 … 1, compared on their skeletons (see ./skeleton.ts) with
 * Jaro-Winkler (`jaro-winkler`) and Levenshtein (`fastest-levenshtein`) — the two measures record
 * linkage uses for names; their blend, 0.6·JW + 0.4·(1 − distance / longer length), keeps Jaro-Winkler's
 * tolerance for a changed ending without its over-reward of a shared first letter.
 *
 * Surnames get two more views, because transliteration noise sits in the vowels: the skeleton with
 * every vowel run as one placeholder (KALIN ≈ KELIN) and the consonants alone (MMMDOV ≈ MAMEDOV, where a
 * document's Ə was lost), each worth a little less than the full skeleton. And a surname's grammatical
 * ending (-OV, -IN, -SKI, -OVA, …) is shared by millions of unrelated names, so when both words end in
 * the same one it counts half: the rest of the word decides (KRAJEWSKI is not KARCEVSKI).
 */
import jaroWinkler from 'jaro-winkler';
import { distance } from 'fastest-levenshtein';
import type { Form } from './readings.js';
import { PARAMS } from './params.js';
import { skeleton } from './skeleton.js';

export type WordRole = 'surname' | 'given';

/** 0.6 · Jaro-Winkler + 0.4 · normalised Levenshtein similarity. */
export function stringSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const lev = 1 - distance(a, b) / Math.max(a.length, b.length);
  return 0.6 * jaroWinkler(a, b) + 0.4 * lev;
}

function vowelFrame(s: string): string {
  return s.replace(/[AEIOU]+/g, 'A');
}

function consonants(s: string): string {
  return s.replace(/[AEIOU]+/g, '').replace(/(.)\1+/g, '$1');
}

function surnameViews(a: string, b: string): number {
  let s = stringSimilarity(a, b);
  if (s < 1) s = Math.max(s, PARAMS.vowelFrameWeight * stringSimilarity(vowelFrame(a), vowelFrame(b)));
  const ca = consonants(a);
  const cb = consonants(b);
  if (s < 1 && ca.length >= 2 && cb.length >= 2) s = Math.max(s, PARAMS.consonantWeight * stringSimilarity(ca, cb));
  return s;
}

/** Grammatical endings of Russian surnames, as skeletons, longest first. */
export const SURNAME_ENDINGS: readonly string[] = [
  'OVSKA', 'EVSKA', 'INSKA', 'OVSKI', 'EVSKI', 'INSKI', 'ENKO', 'SKA', 'SKI', 'OVA', 'EVA', 'INA', 'KI', 'KA', 'OV', 'EV', 'IN', 'IC', 'A',
];

/** Similarity of two skeletons in a role. */
export function skeletonSimilarity(a: string, b: string, role: WordRole): number {
  if (a === b) return 1;
  if (role === 'given') return stringSimilarity(a, b);
  const whole = surnameViews(a, b);
  for (const end of SURNAME_ENDINGS) {
    if (a.endsWith(end) && b.endsWith(end) && a.length >= end.length + 2 && b.length >= end.length + 2) {
      return (1 - PARAMS.endingShare) * whole + PARAMS.endingShare * surnameViews(a.slice(0, -end.length), b.slice(0, -end.length));
    }
  }
  return whole;
}

export interface WordMatch {
  similarity: number;
  query: Form;
  candidate: Form;
  /** The query word was cut short (a full MRZ name field) and was compared with the candidate's start. */
  asPrefix: boolean;
}

/**
 * The best match between the forms of a query word and those of a candidate word. A truncated query
 * word is compared with each candidate spelling cut to its length.
 */
export function compareWord(query: Form[], candidate: Form[], role: WordRole, truncated = false): WordMatch | undefined {
  // First the plain similarity of every pair of forms; the surname's further views (vowel frame,
  // consonants, grammatical ending) only for the few closest pairs: they cost five times as much.
  const pairs: { q: Form; c: Form; base: number }[] = [];
  for (const q of query) {
    for (const c of candidate) {
      const base = stringSimilarity(q.skeleton, c.skeleton);
      if (base === 1) return { similarity: 1, query: q, candidate: c, asPrefix: false };
      pairs.push({ q, c, base });
    }
  }
  pairs.sort((a, b) => b.base - a.base);
  let best: WordMatch | undefined;
  for (const [i, { q, c, base }] of pairs.entries()) {
    let sim = role === 'surname' && i < FULL_VIEWS ? skeletonSimilarity(q.skeleton, c.skeleton, role) : base;
    let asPrefix = false;
    if (truncated && c.latin.length > q.latin.length) {
      const cut = skeletonSimilarity(q.skeleton, skeleton(c.latin.slice(0, q.latin.length)), role);
      if (cut > sim) {
        sim = cut;
        asPrefix = true;
      }
    }
    if (!best || sim > best.similarity) best = { similarity: sim, query: q, candidate: c, asPrefix };
    if (sim === 1) break;
  }
  return best;
}

/** Pairs of forms that get the surname's further views. */
const FULL_VIEWS = 3;

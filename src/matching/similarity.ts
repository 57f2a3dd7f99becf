/**
 * How alike two name words are, 0 … 1, compared on their skeletons (see ./skeleton.ts) with
 * Jaro-Winkler (as the `jaro-winkler` package computes it, without its allocations) and Levenshtein
 * (`fastest-levenshtein`) — the two measures record
 * linkage uses for names; their blend, 0.6·JW + 0.4·(1 − distance / longer length), keeps Jaro-Winkler's
 * tolerance for a changed ending without its over-reward of a shared first letter.
 *
 * Surnames get two more views, because transliteration noise sits in the vowels: the skeleton with
 * every vowel run as one placeholder (KALIN ≈ KELIN) and the consonants alone (MMMDOV ≈ MAMEDOV, where a
 * document's Ə was lost), each worth a little less than the full skeleton. And a surname's grammatical
 * ending (-OV, -IN, -SKI, -OVA, …) is shared by millions of unrelated names, so when both words end in
 * the same one it counts half: the rest of the word decides (KRAJEWSKI is not KARCEVSKI).
 */
import { distance } from 'fastest-levenshtein';
import type { Equivalence } from './equivalence.js';
import type { Form } from './readings.js';
import { Memo } from './memo.js';
import { PARAMS } from './params.js';
import { skeleton } from './skeleton.js';

export type WordRole = 'surname' | 'given';

let matched1 = new Uint8Array(64);
let matched2 = new Uint8Array(64);

/**
 * Jaro-Winkler similarity, exactly as the `jaro-winkler` package computes it (match window
 * ⌊max length / 2⌋ − 1, prefix scale 0.1 over at most four letters, applied above 0.7), without its
 * allocations: it runs for every pair of forms compared, thousands of times a screening, and the
 * package's two arrays and options object per call were a good part of the garbage a screening left.
 */
export function jaroWinkler(s1: string, s2: string): number {
  const n1 = s1.length;
  const n2 = s2.length;
  if (n1 === 0 || n2 === 0) return 0;
  if (s1 === s2) return 1;
  if (n1 > matched1.length) matched1 = new Uint8Array(n1 * 2);
  if (n2 > matched2.length) matched2 = new Uint8Array(n2 * 2);
  matched1.fill(0, 0, n1);
  matched2.fill(0, 0, n2);
  const range = Math.floor(Math.max(n1, n2) / 2) - 1;
  let m = 0;
  for (let i = 0; i < n1; i++) {
    const low = i >= range ? i - range : 0;
    const high = i + range <= n2 - 1 ? i + range : n2 - 1;
    for (let j = low; j <= high; j++) {
      if (matched1[i] !== 1 && matched2[j] !== 1 && s1.charCodeAt(i) === s2.charCodeAt(j)) {
        ++m;
        matched1[i] = matched2[j] = 1;
        break;
      }
    }
  }
  if (m === 0) return 0;
  let k = 0;
  let transpositions = 0;
  for (let i = 0; i < n1; i++) {
    if (matched1[i] !== 1) continue;
    let j = k;
    for (; j < n2; j++) {
      if (matched2[j] === 1) {
        k = j + 1;
        break;
      }
    }
    if (s1[i] !== s2[j]) ++transpositions;
  }
  let weight = (m / n1 + m / n2 + (m - transpositions / 2) / m) / 3;
  if (weight > 0.7) {
    let l = 0;
    while (s1[l] === s2[l] && l < 4) ++l;
    weight = weight + l * 0.1 * (1 - weight);
  }
  return weight;
}

/** 0.6 · Jaro-Winkler + 0.4 · normalised Levenshtein similarity. */
export function stringSimilarity(a: string, b: string): number {
  if (a === b) return 1;
  if (a.length === 0 || b.length === 0) return 0;
  const lev = 1 - distance(a, b) / Math.max(a.length, b.length);
  return 0.6 * jaroWinkler(a, b) + 0.4 * lev;
}

/** Views of a skeleton, cached: the same skeletons are compared again and again. */
const frames = new Memo<string>(100_000);
const consonantViews = new Memo<string>(100_000);

function vowelFrame(s: string): string {
  return frames.get(s, () => s.replace(/[AEIOU]+/g, 'A'));
}

function consonants(s: string): string {
  return consonantViews.get(s, () => s.replace(/[AEIOU]+/g, '').replace(/(.)\1+/g, '$1'));
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
  /** Given names: the two are one name in two languages (./equivalence.ts), scored below identity. */
  equivalence?: Equivalence;
  /** The two are a man's and a woman's form (given names from the equivalence list, surnames by their ending): capped. */
  otherSex?: boolean;
  /** Given names: both are names of the equivalence list, in no common line (two names, not two spellings): capped. */
  differentName?: boolean;
}

/**
 * A man's and a woman's form of one surname: -OV/-EV/-IN and -OVA/-EVA/-INA (Морозов, Морозова;
 * Belarusian Марозаў, Марозава), compared on the Latin spellings with vowel runs as one placeholder and the
 * woman's form ending in A as written (REGINE, a French spelling of Регина, is not a man's -IN); and on
 * skeletons the adjective forms -SKI/-CKI/-I and -SKA/-CKA/-A (Ковальский, Ковальская; Ukrainian -ський,
 * -ська; Belarusian -скі, -ская; Polish -ski, -ska) and -OI/-A (Толстой, Толстая). Such a pair is two
 * persons, not two spellings: when any reading of the one and any spelling of the other are such a pair,
 * the similarity is capped at SURNAME_OTHER_SEX_CAP (./names.ts).
 */
export function surnamesOfOtherSex(q: Form, c: Form): boolean {
  const [short, long] = q.latin.length <= c.latin.length ? [q.latin, c.latin] : [c.latin, q.latin];
  if (short.length >= 3 && long.endsWith('A') && /[VN]$/.test(short)) {
    const fs = vowelFrame(short);
    const fl = vowelFrame(long);
    if (fl.length === fs.length + 1 && fl.startsWith(fs)) return true;
  }
  const a = q.skeleton;
  const b = c.skeleton;
  if (Math.min(a.length, b.length) < 3) return false;
  // -SKI / -SKA, -I / -A: one ending letter differs, I against A, after a consonant.
  if (a.length === b.length && a.slice(0, -1) === b.slice(0, -1) && /[^AEIOU]$/.test(a.slice(0, -1))) {
    const ends = a.slice(-1) + b.slice(-1);
    if (ends === 'IA' || ends === 'AI') return true;
  }
  // -OI / -A (Толстой, Толстая).
  const [sk, lk] = a.length <= b.length ? [a, b] : [b, a];
  return lk.length === sk.length + 1 && lk.endsWith('OI') && sk.endsWith('A') && lk.slice(0, -2) === sk.slice(0, -1);
}

/** A surname's similarity to its other sex's form at most: with it the name score stays below a refer. */
export const SURNAME_OTHER_SEX_CAP = 0.6;


/**
 * The best match between the forms of a query word and those of a candidate word. A truncated query
 * word is compared with each candidate spelling cut to its length.
 */
export function compareWord(query: Form[], candidate: Form[], role: WordRole, truncated = false): WordMatch | undefined {
  if (truncated) return compareAllPairs(query, candidate, role, truncated);
  // First the plain similarity of every pair of forms; the surname's further views (vowel frame,
  // consonants, grammatical ending) only for the few closest pairs: they cost five times as much.
  // Only the closest FULL_VIEWS + 1 pairs can be the best (the one after them has the highest plain
  // similarity of the rest), so they are kept in order (ties: the earlier pair first) instead of
  // sorting every pair: the same answer as compareAllPairs, without a pair object per pair.
  const keep = FULL_VIEWS + 1;
  topCount = 0;
  for (let qi = 0; qi < query.length; qi++) {
    const q = query[qi]!;
    for (let ci = 0; ci < candidate.length; ci++) {
      const c = candidate[ci]!;
      const base = stringSimilarity(q.skeleton, c.skeleton);
      if (base === 1) return { similarity: 1, query: q, candidate: c, asPrefix: false };
      if (topCount === keep && base <= topBase[keep - 1]!) continue;
      let at = topCount < keep ? topCount++ : keep - 1;
      while (at > 0 && topBase[at - 1]! < base) {
        topBase[at] = topBase[at - 1]!;
        topQ[at] = topQ[at - 1]!;
        topC[at] = topC[at - 1]!;
        at--;
      }
      topBase[at] = base;
      topQ[at] = qi;
      topC[at] = ci;
    }
  }
  let best: WordMatch | undefined;
  for (let i = 0; i < topCount; i++) {
    const q = query[topQ[i]!]!;
    const c = candidate[topC[i]!]!;
    const sim = role === 'surname' && i < FULL_VIEWS ? skeletonSimilarity(q.skeleton, c.skeleton, role) : topBase[i]!;
    if (!best || sim > best.similarity) best = { similarity: sim, query: q, candidate: c, asPrefix: false };
    if (sim === 1) break;
  }
  return best;
}

const topBase = new Float64Array(8);
const topQ = new Int32Array(8);
const topC = new Int32Array(8);
let topCount = 0;

/** compareWord over every pair in order of plain similarity: a truncated word compares each pair cut short too. */
function compareAllPairs(query: Form[], candidate: Form[], role: WordRole, truncated: boolean): WordMatch | undefined {
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

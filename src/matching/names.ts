/**
 * Comparing a traveller's Latin name with a listed person's Cyrillic one, word set against word set:
 * double surnames and hyphens, word order within a field, a patronymic typed among the given names or
 * left out, surname and given names typed into each other's fields, and a name cut short by a full MRZ
 * field all still compare.
 *
 * The name score is min(S, 0.4 + 0.6·G), S and G the surname and given-name similarities: the surname
 * must agree on its own (a shared given name says little — many travellers are called ALEKSANDR),
 * while a given name that agrees only loosely (a foreign form: CONSTANTINE, NIKETAS) still leaves a
 * possible match for an officer to look at.
 */
import { foldLatin, hasCyrillic } from './latin.js';
import { type GenerationalMap, Memo } from './memo.js';
import { PARAMS } from './params.js';
import { formsOf, icaoSkeleton, latinForms, latinReadings, wordsOf, type Form } from './readings.js';
import { compareWord, stringSimilarity, SURNAME_OTHER_SEX_CAP, surnamesOfOtherSex, type WordMatch, type WordRole } from './similarity.js';
import { DIFFERENT_NAME_CAP, differentNames, equivalence, EQUIVALENT_SIMILARITY, OTHER_SEX_CAP, otherSex } from './equivalence.js';
import type { ListedPerson, Traveller } from './types.js';
import { workCounters } from './workCounters.js';

/** With no given name from the traveller, the surname alone can at best reach this share. */
export const SURNAME_ONLY_FACTOR = 0.85;
/** Typing surname and given names into each other's fields costs this much. */
export const SWAP_PENALTY = 0.03;
/** A patronymic among the traveller's given names that agrees adds this, one that contradicts costs it. */
export const PATRONYMIC_EFFECT = 0.03;
/** A patronymic agrees from this similarity on. */
const PATRONYMIC_AGREES = 0.85;
/** Only one part of a double surname given: the part's similarity times this. */
const PART_OF_SURNAME = 0.95;

export interface WordComparison extends WordMatch {
  /** The traveller's words and the register's words compared. */
  queryText: string;
  candidateText: string;
}

export interface NameComparison {
  surname?: WordComparison;
  given?: WordComparison;
  patronymic?: WordComparison & { agrees: boolean };
  /** The traveller's surname and given names compared crosswise. */
  swapped: boolean;
  score: number;
}

/**
 * Word comparisons already made: in one screening the same listed surname comes up again and again
 * (twenty SMIRNOVs born the same year), and travellers share names. The comparisons are kept with
 * their words, so that comparing a candidate whose words were compared before allocates nothing.
 */
export type WordMemo = GenerationalMap<WordComparison | undefined>;

function compare(memo: WordMemo | undefined, query: string, listed: string, role: WordRole, truncated: boolean): WordComparison | undefined {
  const key = `${role[0]}${truncated ? 't' : ''}|${query}|${listed}`;
  const known = memo?.get(key);
  if (known !== undefined || memo?.has(key)) return known;
  workCounters.wordComparisons++;
  // An officer may type the name in Cyrillic: then it has every reading a listed name has.
  const queryForms = hasCyrillic(query) ? formsOf(query) : latinForms(query);
  const listedForms = formsOf(listed);
  let m = compareWord(queryForms, listedForms, role, truncated);
  // Given names are looked up in the list even when their skeletons agree, unless the traveller's word is
  // exactly how a scheme writes the listed one (JANNA is Жанна in MVD 310 FR): Дзяніс (DZIANIS, with
  // Belarusian ДЗ read as Д and a nominative -S dropped) and Даниил with its Ł lost (DANII) are two names.
  if (m && m.similarity === 1 && role === 'given' && !writtenAsScheme(query, listed)) m = givenAcrossLanguages(query, listed, m);
  else if (m && m.similarity < 1) m = role === 'given' ? givenAcrossLanguages(query, listed, m) : surnameOfOtherSex(queryForms, listedForms, m);
  const result = m && { ...m, queryText: query, candidateText: listed };
  memo?.set(key, result);
  return result;
}

/** Whether a Latin word is, letter for letter, a scheme's spelling of the listed (Cyrillic) word. */
function writtenAsScheme(query: string, listed: string): boolean {
  if (hasCyrillic(query) || !hasCyrillic(listed)) return true;
  const spelling = foldLatin(query).replace(/ /g, '');
  return latinReadings(listed).some((r) => r.latin === spelling);
}

/**
 * A given name that is the same name in another language (Микола for Николай) scores
 * EQUIVALENT_SIMILARITY unless its spelling already agrees better; another name of the list is capped at
 * DIFFERENT_NAME_CAP (MARTA for Мария), a man's name against a woman's (ALEKSANDRA for Александр) at
 * OTHER_SEX_CAP, however alike the two are written.
 */
function givenAcrossLanguages(query: string, listed: string, m: WordMatch): WordMatch {
  const eq = equivalence(query, listed);
  // A spelling of the very form listed is not an equivalence, nor is a spelling that agrees already:
  // its spelling similarity decides.
  if (eq && eq.query.text !== eq.listed.text && m.similarity < 1) return { ...m, similarity: Math.max(m.similarity, EQUIVALENT_SIMILARITY), equivalence: eq };
  if (eq) return m;
  if (m.similarity > OTHER_SEX_CAP && otherSex(query, listed)) return { ...m, similarity: OTHER_SEX_CAP, otherSex: true };
  if (m.similarity > DIFFERENT_NAME_CAP && differentNames(query, listed)) return { ...m, similarity: DIFFERENT_NAME_CAP, differentName: true };
  return m;
}

/**
 * A surname against its other sex's form (MOROZOVA for Морозов, KOVALSKA for Ковальский): when any
 * spelling of the one and any reading of the other are such a pair, two persons, however alike.
 */
function surnameOfOtherSex(query: readonly Form[], listed: readonly Form[], m: WordMatch): WordMatch {
  if (m.similarity <= SURNAME_OTHER_SEX_CAP) return m;
  // Every such pair has a woman's form ending in A on one side: without one, no pair needs a look.
  if (!endsInA(query) && !endsInA(listed)) return m;
  for (const q of query) for (const l of listed) if (surnamesOfOtherSex(q, l)) return { ...m, similarity: SURNAME_OTHER_SEX_CAP, otherSex: true };
  return m;
}

function endsInA(forms: readonly Form[]): boolean {
  for (const f of forms) if (f.latin.endsWith('A') || f.skeleton.endsWith('A')) return true;
  return false;
}

/** Several surname words on either side (Петрова-Соколова, PETROVA SOKOLOVA, or only SOKOLOVA). */
function compareSurname(query: readonly string[], listed: readonly string[], truncatedLast: boolean, memo?: WordMemo): WordComparison | undefined {
  if (query.length === 0 || listed.length === 0) return undefined;
  const single = query.length === 1 && listed.length === 1;
  if (single) return compare(memo, query[0]!, listed[0]!, 'surname', truncatedLast);
  let best: WordMatch | undefined = compare(memo, query.join(''), listed.join(''), 'surname', false);
  let queryText = query.join(' ');
  let candidateText = listed.join('-');
  {
    // Every listed part against its best query word; a part missing from the query costs a little.
    let total = 0;
    let bestPart: WordMatch | undefined;
    let bestPartWords: [string, string] = ['', ''];
    for (const l of listed) {
      let partBest: WordMatch | undefined;
      for (const [i, q] of query.entries()) {
        const m = compare(memo, q, l, 'surname', truncatedLast && i === query.length - 1);
        if (m && (!partBest || m.similarity > partBest.similarity)) partBest = m;
        if (m && (!bestPart || m.similarity > bestPart.similarity)) {
          bestPart = m;
          bestPartWords = [q, l];
        }
      }
      total += partBest?.similarity ?? 0;
    }
    const mean = total / listed.length;
    if (bestPart) {
      const partial = bestPart.similarity * (query.length === listed.length ? 1 : PART_OF_SURNAME);
      const aligned = Math.max(mean, partial);
      if (!best || aligned > best.similarity) {
        best = { ...bestPart, similarity: aligned };
        if (aligned === partial && listed.length !== query.length) [queryText, candidateText] = bestPartWords;
      }
    }
  }
  return best && { ...best, queryText, candidateText };
}

interface GivenResult {
  given?: WordComparison;
  patronymic?: WordComparison & { agrees: boolean };
}

/** The listed first given name against the best of the traveller's given words; the rest against the patronymic. */
function compareGiven(query: readonly string[], listedGiven: readonly string[], listedPatronymic: readonly string[], truncatedLast: boolean, memo?: WordMemo): GivenResult {
  const first = listedGiven[0];
  if (query.length === 0 || !first) return {};
  let given: WordComparison | undefined;
  let usedIndex = -1;
  for (const [i, q] of query.entries()) {
    const m = compare(memo, q, first, 'given', truncatedLast && i === query.length - 1);
    if (m && (!given || m.similarity > given.similarity)) {
      given = m;
      usedIndex = i;
    }
  }
  const result: GivenResult = {};
  if (given) result.given = given;
  const patronymic = listedPatronymic[0];
  // The words left once the given name took its own (all of them when none compared).
  const left = usedIndex < 0 ? query.length : query.length - 1;
  if (left > 0 && patronymic) {
    const rest = query.filter((_, i) => i !== usedIndex);
    let best: (WordComparison & { agrees: boolean }) | undefined;
    for (const [i, q] of rest.entries()) {
      const truncated = truncatedLast && query.indexOf(q) === query.length - 1 && i === rest.length - 1;
      const m = compare(memo, q, patronymic, 'given', truncated);
      if (m && (!best || m.similarity > best.similarity)) best = { ...m, queryText: q, candidateText: patronymic, agrees: m.similarity >= PATRONYMIC_AGREES };
    }
    if (best) result.patronymic = best;
  }
  return result;
}

function nameScore(surname: WordComparison | undefined, given: GivenResult): number {
  if (!surname) return 0;
  const s = surname.similarity;
  let score = given.given ? Math.min(s, PARAMS.givenNameFloor + (1 - PARAMS.givenNameFloor) * given.given.similarity) : s * SURNAME_ONLY_FACTOR;
  if (given.patronymic) score += given.patronymic.agrees ? PATRONYMIC_EFFECT : -PATRONYMIC_EFFECT;
  return Math.max(0, Math.min(1, score));
}

/**
 * Below this plain similarity between the traveller's surname forms and the ICAO reading of the listed
 * surname (straight and crosswise), no reading of it comes close enough to matter: the name is not
 * compared further. Readings differ from the ICAO one by far less after skeletons (SZCZERBAKOW and
 * SHCHERBAKOV are one skeleton), so this only spares the work of reading unrelated surnames.
 */
export const UNRELATED_SURNAME = 0.45;

/** What every candidate of a screening asks again. */
const skeletonLists = new Memo<readonly string[]>(50_000);
const wordLists = new Memo<readonly string[]>(50_000);

function querySkeletons(word: string): readonly string[] {
  return skeletonLists.get(word, () => (hasCyrillic(word) ? formsOf(word) : latinForms(word)).map((f) => f.skeleton));
}

/** The words of a listed name (wordsOf), cached: never modified. */
function listedWords(name: string | undefined): readonly string[] {
  return name ? wordLists.get(name, () => wordsOf(name)) : [];
}

/** Whether the listed surname is plainly unrelated to every word the traveller gave. */
export function surnameUnrelated(t: TravellerWords, p: ListedPerson): boolean {
  const words = listedWords(p.surname);
  const listed = icaoSkeleton(words.length === 1 ? words[0]! : words.join(''));
  // Short names differ most between readings (Дзин: DZIN in ICAO, JIN in English): always compared.
  if (listed.length <= 4) return false;
  for (const words of [t.surname, t.given]) {
    if (words.length === 0) continue;
    for (const w of [words.join(''), ...(words.length > 1 ? words : [])]) {
      for (const q of querySkeletons(w)) if (stringSimilarity(q, listed) >= UNRELATED_SURNAME) return false;
    }
  }
  for (const part of words.length > 1 ? words : []) {
    const skel = icaoSkeleton(part);
    for (const w of [...t.surname, ...t.given]) for (const q of querySkeletons(w)) if (stringSimilarity(q, skel) >= UNRELATED_SURNAME) return false;
  }
  return true;
}

export interface TravellerWords {
  surname: string[];
  given: string[];
  /** The last word of the whole name (given names, else surname) may be cut short. */
  truncated: boolean;
}

export function travellerWords(t: Traveller): TravellerWords {
  return { surname: wordsOf(t.surname), given: wordsOf(t.givenNames), truncated: t.nameTruncated === true };
}

/** Rounding room for the bound above: a crosswise surname this close to the straight score is compared in full. */
const CROSSWISE_MARGIN = 1e-9;

/** Compares the traveller's name with the listed person's, straight and crosswise; the better wins. */
export function compareNames(t: TravellerWords, p: ListedPerson, memo?: WordMemo): NameComparison {
  const ls = listedWords(p.surname);
  const lg = listedWords(p.givenNames);
  const lp = listedWords(p.patronymic);
  const lastIsSurname = t.given.length === 0;
  const surname = compareSurname(t.surname, ls, t.truncated && lastIsSurname, memo);
  const given = compareGiven(t.given, lg, lp, t.truncated, memo);
  const straight: NameComparison = { swapped: false, score: nameScore(surname, given) };
  if (surname) straight.surname = surname;
  if (given.given) straight.given = given.given;
  if (given.patronymic) straight.patronymic = given.patronymic;
  if (straight.score >= 0.95 || t.given.length === 0) return straight;
  // Crosswise: the traveller's given names against the listed surname and the other way round.
  const xSurname = compareSurname(t.given, ls, t.truncated, memo);
  // The crosswise score is at most the crosswise surname's similarity, plus a patronymic's effect, less
  // the swap's penalty: when that cannot beat the straight score, the given names are not compared
  // crosswise (most candidates: namesakes with another given name).
  if (!xSurname || xSurname.similarity + PATRONYMIC_EFFECT - SWAP_PENALTY <= straight.score - CROSSWISE_MARGIN) return straight;
  const xGiven = compareGiven(t.surname, lg, lp, false, memo);
  const crossScore = nameScore(xSurname, xGiven) - SWAP_PENALTY;
  if (crossScore <= straight.score) return straight;
  const cross: NameComparison = { swapped: true, score: crossScore };
  if (xSurname) cross.surname = xSurname;
  if (xGiven.given) cross.given = xGiven.given;
  if (xGiven.patronymic) cross.patronymic = xGiven.patronymic;
  return cross;
}

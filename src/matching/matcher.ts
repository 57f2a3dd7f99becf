/**
 * The border matcher: candidates from the index (document number, name-code keys), each scored on its
 * features and explained.
 *
 * Score of one candidate, 0 … 1:
 *  1. name score — min(S, 0.4 + 0.6·G) from the surname and given-name similarities (./names.ts),
 *     ± 0.03 for a patronymic among the given names, − 0.03 when surname and given names were swapped;
 *  2. the date of birth's effect (./dob.ts): exact none, partial −0.03/−0.06, day and month swapped or
 *     one typing slip −0.10 (−0.15 in the year) and never a hit, no date −0.12, a different date × 0.6;
 *  3. a document of the same number and issuing state sets the score to at least 0.99 (1 when name and
 *     date agree too; 0.97 when the traveller gave no state), unless a name that does not agree and a
 *     different date both contradict it, when it is 0.8 (a data error or a reissued number to look at).
 * Thresholds map the score to a decision: at or above `hit` a hit, at or above `refer` a refer.
 */
import { applyDob, compareDob, DOB_EFFECT, type DobComparison } from './dob.js';
import { personKeys, queryPlan } from './candidateKeys.js';
import { compareNames, surnameUnrelated, travellerWords, type NameComparison, type TravellerWords, type WordComparison, type WordMemo } from './names.js';
import { GenerationalMap } from './memo.js';
import type { CandidateSource, Feature, ListedPerson, Matcher, MatchedField, MatchThresholds, PersonMatch, Traveller } from './types.js';

export interface MatcherOptions {
  /** Decision thresholds; see DEFAULT_THRESHOLDS. */
  thresholds?: Partial<MatchThresholds>;
  /** Most persons read from the index for one screening (name keys; document matches come on top). */
  maxCandidates?: number;
}

/**
 * Defaults, chosen on the development set (docs/matching.md): a hit needs names that agree as well
 * as a transliteration variant does and a date that agrees; a refer needs a surname that agrees and a
 * given name or a date that comes close.
 */
export const DEFAULT_THRESHOLDS: MatchThresholds = { hit: 0.9, refer: 0.75 };
export const DEFAULT_MAX_CANDIDATES = 300;

/** Changes whenever the stored keys (codes, key layout) or the scoring change: replicas then rebuild their name index. */
export const MATCHER_VERSION = 'translit-6';

const NAME_MATCHES = 0.8;
/**
 * Persons read through the `g` keys of the surname's other first classes (a first letter lost or read
 * another way, keys.ts): every such person in a register of a million, the first of them when the given
 * name and the date are common in a larger one (ALEKSANDR born on one day: about forty at ten million).
 * Within DEFAULT_MAX_CANDIDATES.
 */
export const OTHER_CLASS_BUDGET = 12;
/**
 * Persons read through the `y` keys (a date that only nearly agrees, or none): the month's namesakes
 * come first, so a slip in the day is found unless more than this many namesakes were born that month
 * (SMIRNOV ALEKSANDR: about forty a month at ten million). Within DEFAULT_MAX_CANDIDATES.
 */
export const YEAR_BUDGET = 12;

/**
 * Word comparisons shared by all screenings (a comparison depends on the two words and the role
 * alone): travellers are called ALEKSANDR and SMIRNOV again and again, and a listed surname meets the
 * same spellings of it. Comparing words is the costliest step of a screening, and the garbage it leaves
 * is what makes the collector pause; a full memo keeps what screenings still ask (memo.ts).
 */
const sharedMemo: WordMemo = new GenerationalMap(100_000);

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}

function formText(w: WordComparison, side: 'query' | 'candidate'): string {
  const form = side === 'query' ? w.query : w.candidate;
  const text = side === 'query' ? w.queryText : w.candidateText;
  const how = form.schemes.slice(0, 3).join(', ') + (form.schemes.length > 3 ? ', …' : '');
  return side === 'query' ? `${text} → ${form.skeleton}${how === 'as written' ? '' : ` (${how})`}` : `${text} → ${form.latin} (${how}) → ${form.skeleton}`;
}

const LANGUAGE_NAMES: Record<string, string> = { ru: 'Russian', uk: 'Ukrainian', be: 'Belarusian', pl: 'Polish' };

/**
 * What made two words alike or not, beyond their spelling: one given name in two languages ("Микола ↔
 * NIKOLAI, equivalent forms uk ↔ ru"), or a man's and a woman's form.
 */
export function acrossLanguages(feature: Feature['feature'], w: WordComparison): string | undefined {
  const eq = w.equivalence;
  if (eq) {
    const form = eq.query.text === w.queryText ? '' : ` (the ${LANGUAGE_NAMES[eq.query.language]} form ${eq.query.text})`;
    return `${w.candidateText} ↔ ${w.queryText}, equivalent forms ${eq.listed.language} ↔ ${eq.query.language}${form}`;
  }
  if (w.differentName) return `${w.queryText} and ${w.candidateText} are two different names`;
  if (w.otherSex) return feature === 'surname' ? `${w.queryText} and ${w.candidateText} are a man's and a woman's form of the surname` : `${w.queryText} and ${w.candidateText} are a man's and a woman's name`;
  return undefined;
}

function wordFeature(feature: Feature['feature'], w: WordComparison, effect: string): Feature {
  const across = acrossLanguages(feature, w);
  const how = w.equivalence
    ? `${across}: one name in two languages (given-name equivalence list), scored below identity`
    : `${w.similarity === 1 ? 'identical skeletons' : 'Jaro-Winkler/Levenshtein on skeletons'}${w.otherSex || w.differentName ? `; ${across}: at most ${round(w.similarity)}` : ''}`;
  return {
    feature,
    query: formText(w, 'query'),
    candidate: formText(w, 'candidate'),
    similarity: round(w.similarity),
    detail: `${how}${w.asPrefix ? '; the traveller’s word is cut short (full MRZ field) and was compared with the start of the name' : ''}`,
    effect,
  };
}

interface Scored {
  score: number;
  names: NameComparison;
  dob: DobComparison;
  document?: { number: string; country: string; type: string; sameCountry: boolean; score: number };
}

function documentOf(t: Traveller, p: ListedPerson): Scored['document'] {
  const number = t.documentNumber?.toUpperCase().replace(/</g, '');
  if (!number) return undefined;
  const country = t.documentCountry ?? t.nationality;
  const doc = p.documents.find((d) => d.number.toUpperCase() === number && (!country || d.country === country));
  return doc && { number: doc.number, country: doc.country, type: doc.type, sameCountry: !!country, score: 0 };
}

/**
 * Scores one candidate; undefined when it cannot reach the refer threshold (a different date of birth,
 * or a surname plainly unrelated to the traveller's, and no document): the names are then not compared
 * in full.
 */
function score(t: Traveller, words: TravellerWords, p: ListedPerson, thresholds: MatchThresholds, memo: WordMemo): Scored | undefined {
  const dob = compareDob(t.dateOfBirth, p.dateOfBirth);
  const document = documentOf(t, p);
  if (!document && dob.agreement === 'different' && DOB_EFFECT.differentFactor < thresholds.refer) return undefined;
  // A surname plainly unrelated to the traveller's caps the name score far below any threshold.
  if (!document && words.surname.length > 0 && surnameUnrelated(words, p)) return undefined;
  const names = compareNames(words, p, memo);
  const hasName = words.surname.length > 0;
  let s = hasName ? applyDob(names.score, dob, p.dateOfBirth, t.dateOfBirth, thresholds.hit - 0.001) : 0;
  if (document) {
    const nameContradicts = hasName && names.score < NAME_MATCHES;
    const dobContradicts = dob.agreement === 'different';
    const agrees = (!hasName || names.score >= NAME_MATCHES) && (dob.agreement === 'exact' || dob.agreement === 'missing');
    document.score = nameContradicts && dobContradicts ? 0.8 : agrees ? 1 : document.sameCountry ? 0.99 : 0.97;
    s = Math.max(s, document.score);
  }
  const result: Scored = { score: Math.max(0, Math.min(1, s)), names, dob };
  if (document) result.document = document;
  return result;
}

function explain(t: Traveller, p: ListedPerson, r: Scored): PersonMatch {
  const features: Feature[] = [];
  const matchedOn: MatchedField[] = [];
  const { names, dob, document } = r;
  if (document) {
    matchedOn.push('documentNumber');
    features.push({
      feature: 'documentNumber',
      query: `${t.documentNumber} ${t.documentCountry ?? t.nationality ?? ''}`.trim(),
      candidate: `${document.number} ${document.country}`,
      similarity: 1,
      detail: `${document.type} number identical${document.sameCountry ? ', same issuing state' : ' (no issuing state given)'}`,
      effect:
        document.score === 0.8
          ? 'name and date both contradict it: at most 0.8, for an officer to look at'
          : `sets the score to at least ${document.score}${document.score === 1 ? ' (name and date agree too)' : document.sameCountry ? '' : ' (no issuing state to compare)'}`,
    });
  }
  if (names.surname && names.score >= NAME_MATCHES) matchedOn.push('name');
  if (dob.agreement === 'exact' || dob.agreement === 'partial') matchedOn.push('dateOfBirth');
  if (names.surname) features.push(wordFeature('surname', names.surname, names.given ? 'limits the name score' : `the name score is 0.85 × this (no given name)`));
  if (names.given) features.push(wordFeature('givenNames', names.given, 'name score ≤ 0.4 + 0.6 × this'));
  if (names.patronymic) features.push(wordFeature('patronymic', names.patronymic, names.patronymic.agrees ? '+0.03' : '−0.03 (another patronymic)'));
  if (t.dateOfBirth || !document) {
    const effect = { exact: 'none', partial: '−0.03 (year and month) or −0.06 (year)', swapped: '−0.10, never a hit', typo: dob.inYear ? '−0.15, never a hit' : '−0.10, never a hit', missing: '−0.12', different: '× 0.6' }[dob.agreement];
    features.push({ feature: 'dateOfBirth', query: t.dateOfBirth ?? '—', candidate: p.dateOfBirth, similarity: dob.similarity, detail: dob.detail, effect });
  }
  const parts: string[] = [];
  if (document) parts.push(`${document.type} number identical`);
  if (names.surname) {
    const n = names.score >= 0.97 ? 'name agrees' : names.score >= NAME_MATCHES ? 'name similar' : 'name differs';
    const notes = [
      ...(names.swapped ? ['surname and given names swapped'] : []),
      ...(['surname', 'given'] as const).flatMap((k) => {
        const w = names[k];
        const text = w && acrossLanguages(k === 'given' ? 'givenNames' : 'surname', w);
        return text ? [`${k === 'given' ? 'given name' : 'surname'}: ${text}`] : [];
      }),
    ];
    parts.push(`${n} (${round(names.score)}${notes.map((x) => `, ${x}`).join('')})`);
  }
  parts.push(dob.agreement === 'exact' ? 'date of birth identical' : `date of birth: ${dob.detail}`);
  return { personId: p.personId, score: round(r.score), matchedOn, features, detail: parts.join('; ') };
}

export function createMatcher(options: MatcherOptions = {}): Matcher {
  const thresholds: MatchThresholds = { ...DEFAULT_THRESHOLDS, ...options.thresholds };
  if (!(thresholds.refer > 0 && thresholds.refer <= thresholds.hit && thresholds.hit <= 1)) {
    throw new RangeError(`thresholds must satisfy 0 < refer ≤ hit ≤ 1, got refer ${thresholds.refer}, hit ${thresholds.hit}`);
  }
  const maxCandidates = options.maxCandidates ?? DEFAULT_MAX_CANDIDATES;
  return {
    version: MATCHER_VERSION,
    thresholds,
    indexKeys: personKeys,
    async match(traveller: Traveller, source: CandidateSource): Promise<PersonMatch[]> {
      const candidates = new Map<string, ListedPerson>();
      const take = (list: ListedPerson[]) => {
        for (const p of list) if (!candidates.has(p.personId)) candidates.set(p.personId, p);
      };
      if (traveller.documentNumber) {
        const number = traveller.documentNumber.toUpperCase().replace(/</g, '');
        take(await source.byDocument(number, traveller.documentCountry ?? traveller.nationality));
      }
      const plan = queryPlan(traveller);
      const words = travellerWords(traveller);
      const memo = sharedMemo;
      const out: PersonMatch[] = [];
      const scored = new Set<string>();
      const scoreNew = () => {
        for (const p of candidates.values()) {
          if (scored.has(p.personId)) continue;
          scored.add(p.personId);
          const r = score(traveller, words, p, thresholds, memo);
          if (r && r.score >= thresholds.refer) out.push(explain(traveller, p, r));
        }
      };
      // A listed person whose name and date agree exactly accounts for the traveller: the broader
      // stages that follow (another surname with the same given name, namesakes born a typing slip
      // away) are not read then.
      const settled = () => out.some((m) => m.score >= thresholds.hit && m.matchedOn.includes('name') && m.features.some((f) => f.feature === 'dateOfBirth' && f.similarity === 1));
      let budget = maxCandidates;
      // Stages in order, each with its own limit within the overall budget; a stage's keys are worked
      // out only when it is read.
      const stages: [() => string[], number][] = [
        [() => plan.surname, Infinity],
        [() => plan.given, Infinity],
        [() => plan.givenOtherClass, OTHER_CLASS_BUDGET],
        [() => plan.years, YEAR_BUDGET],
      ];
      for (const [stage, limit] of stages) {
        scoreNew();
        if (settled() || budget <= 0) break;
        const keys = stage();
        if (keys.length === 0) continue;
        const found = await source.byNameKeys(keys, Math.min(limit, budget));
        budget -= found.length;
        take(found);
      }
      scoreNew();
      return out.sort((a, b) => b.score - a.score);
    },
  };
}

/** The matcher with the default thresholds. */
export const fuzzyMatcher: Matcher = createMatcher();

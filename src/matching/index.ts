/**
 * Name matching for the border: Latin travellers against a Cyrillic register (see docs/matching.md).
 * `defaultMatcher` is the transliteration-aware matcher with the default thresholds; `createMatcher`
 * builds one with other thresholds; `exactMatcher` is the exact-ICAO baseline the benchmark compares with.
 */
export type { CandidateSource, Feature, ListedPerson, Matcher, MatchedField, MatchThresholds, PersonMatch, Traveller } from './types.js';
export { createMatcher, DEFAULT_MAX_CANDIDATES, DEFAULT_THRESHOLDS, fuzzyMatcher as defaultMatcher, MATCHER_VERSION, type MatcherOptions } from './matcher.js';
export { exactMatcher } from './exactMatcher.js';
export { foldLatin, icaoLatin } from './latin.js';

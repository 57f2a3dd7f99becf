export type { CandidateSource, Feature, ListedPerson, Matcher, MatchedField, MatchThresholds, PersonMatch, Traveller } from './types.js';
export { exactMatcher as defaultMatcher } from './exactMatcher.js';
export { foldLatin, icaoLatin } from './latin.js';

/**
 * The scoring parameters in one place, so docs/matching.md and the benchmark can name them. Each is
 * explained where it is used; the values were chosen on the development set (../shared/data/names/dev).
 */
export const PARAMS = {
  /** similarity.ts: a surname's skeleton with vowel runs as one placeholder is worth this much of the full. */
  vowelFrameWeight: 0.9,
  /** similarity.ts: a surname's consonants alone are worth this much of the full skeleton. */
  consonantWeight: 0.85,
  /** similarity.ts: a shared grammatical ending counts this share; the rest of the word the remainder. */
  endingShare: 0.5,
  /** names.ts: name score = min(S, floor + (1 − floor)·G). */
  givenNameFloor: 0.4,
} as const;

/**
 * Counts of the matcher's costly steps, for the benchmarks that look for the slowest screenings
 * (bench/matching/tailProfile.ts): which screenings met words not seen before, and how many. Plain
 * increments, cheap enough to stay in the screening path; nothing here depends on them.
 */
export const workCounters = {
  /** Word comparisons not found in the shared memo (computed). */
  wordComparisons: 0,
  /** Cyrillic or register words read in all schemes (formsOf, not cached). */
  formsComputed: 0,
  /** Latin traveller words given their readings (latinForms, not cached). */
  latinFormsComputed: 0,
};

export type WorkCounters = typeof workCounters;

/** A copy of the counters, to subtract from a later one. */
export function snapshotCounters(): WorkCounters {
  return { ...workCounters };
}

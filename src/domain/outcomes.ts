/**
 * What came of a `hit` or `refer` at the border, as the officer records it (one per screening):
 *  - refused-exit: it was the listed person, and the restriction was applied;
 *  - not-the-listed-person: secondary inspection established another person (a confirmed non-match);
 *  - released: released on a supervisor's decision, given in the note;
 *  - withdrew: the traveller gave up the crossing.
 */
export const OUTCOMES = ['refused-exit', 'not-the-listed-person', 'released', 'withdrew'] as const;
export type OutcomeKind = (typeof OUTCOMES)[number];

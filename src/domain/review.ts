/**
 * A review of a restriction by its issuing office: it stays in force, and its review deadline moves to
 * `reviewAt`. Kept as a record (the event the person may be told of: "review extended").
 */
export interface RestrictionReview {
  restrictionId: string;
  personId: string;
  office: string;
  reviewedAt: string;
  /** Who reviewed it (the audit trail's actor) and why it stays. */
  reviewedBy: string;
  note: string;
  /** The review deadline before and after. */
  previousReviewAt?: string;
  reviewAt: string;
}

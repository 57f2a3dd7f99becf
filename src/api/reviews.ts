/**
 * Reviews over HTTP (register/reviewService.ts):
 *
 *   GET  /v1/reviews/due                    office, operator, auditor: open restrictions whose review is
 *                                           due within `withinDays` (default: the rules' notice period)
 *   POST /v1/restrictions/{id}/review       office (its own), operator: {note, extendUntil?} keeps it in
 *                                           force and moves its review deadline
 */
import { z } from 'zod';
import { instant, text } from './fields.js';
import { restrictionRecordSchema } from './restrictions.js';

export const reviewBody = z.strictObject({ note: text(2000), extendUntil: instant.optional() });
export type ReviewBody = z.infer<typeof reviewBody>;

export const reviewRecordSchema = z.object({
  restrictionId: z.string(),
  personId: z.string(),
  office: z.string(),
  reviewedAt: z.string(),
  reviewedBy: z.string(),
  note: z.string(),
  previousReviewAt: z.string().optional(),
  reviewAt: z.string(),
});

export const reviewAnswer = z.object({ restriction: restrictionRecordSchema, review: reviewRecordSchema, changes: z.array(z.number().int()) });

export const reviewsDueQuery = z.object({
  withinDays: z.coerce.number().int().min(0).max(36_500).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(200),
});

export const reviewsDueAnswer = z.object({
  restrictions: z.array(z.object({ restriction: restrictionRecordSchema, reviewDeadline: z.string(), overdue: z.boolean() })),
});

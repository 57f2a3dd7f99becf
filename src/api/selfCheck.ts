/**
 * POST /v1/self-check: a person checks their own status before travelling (border/selfCheck.ts).
 * Document number and date of birth in; whether an exit restriction or a category-wide rule applies,
 * and how to contest it, out. Every answer has the same keys in the same order, whoever asks.
 */
import { z } from 'zod';
import { parsePartialDate } from '../domain/dates.js';
import { DEFERMENT_CATEGORIES, RESTRICTION_KINDS } from '../domain/types.js';
import { ruleStatusSchema } from './screening.js';

export const selfCheckRequestSchema = z.strictObject({
  documentNumber: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be 1–20 letters or digits'),
  dateOfBirth: z.string().superRefine((s, ctx) => {
    const d = parsePartialDate(s);
    if (typeof d === 'string') ctx.addIssue({ code: 'custom', message: d });
    else if (d.day === undefined) ctx.addIssue({ code: 'custom', message: 'give the full date of birth, YYYY-MM-DD' });
  }),
  /** For category-wide rules: as in the passport. */
  sex: z.enum(['M', 'F', 'X'], { message: 'must be M, F or X' }).optional(),
  nationality: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ICAO code such as RUS').optional(),
  /**
   * A confirmed non-match's reference (NM-…), handed over at a checkpoint: given with the document's
   * country and the name as on the document, the answer says whether it holds for these details.
   */
  reference: z.string().regex(/^NM-\d{4}-[0-9A-Z]{10}$/, 'must be a reference such as NM-2026-7K3QX9M2AB').optional(),
  documentCountry: z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ICAO code such as RUS').optional(),
  surname: z.string().min(1).max(100).optional(),
  givenNames: z.string().max(100).optional(),
}).superRefine((r, ctx) => {
  if (r.reference === undefined) return;
  for (const field of ['documentCountry', 'surname'] as const) {
    if (!r[field]) ctx.addIssue({ code: 'custom', message: 'give it as on the document, with the reference', path: [field] });
  }
});
export type SelfCheckRequest = z.infer<typeof selfCheckRequestSchema>;

/**
 * The issuing office as the register records it (public contact details). `recorded: false` when the
 * register holds no record of the office: then only its code is known, and the page says "contact
 * details not recorded" instead of inventing any.
 */
export const selfCheckOfficeSchema = z.object({
  id: z.string(),
  recorded: z.boolean(),
  name: z.string().optional(),
  address: z.string().optional(),
  phone: z.string().optional(),
  email: z.string().optional(),
  web: z.string().optional(),
  hours: z.string().optional(),
});

/** How to contest one restriction: the issuing office's words, and the last day if its basis sets a time limit. */
export const selfCheckContestSchema = z.object({
  how: z.string(),
  /** Last day to contest (YYYY-MM-DD): in force from + the office's days for contesting. */
  deadline: z.string().optional(),
  deadlineDays: z.number().int().optional(),
});

export const selfCheckAnswer = z.object({
  restricted: z.boolean(),
  restrictions: z.array(
    z.object({
      restrictionId: z.string(),
      kind: z.enum(RESTRICTION_KINDS),
      basis: z.string(),
      office: selfCheckOfficeSchema,
      contest: selfCheckContestSchema,
      inForceFrom: z.string().optional(),
      applies: z.boolean(),
      /** In words: "in force", "deferred: student until …", "lifted …". */
      status: z.string(),
    }),
  ),
  /** The person's own deferments and exemptions (their evidence and grant included). */
  deferments: z.array(
    z.object({ kind: z.enum(['deferment', 'exemption']).optional(), category: z.enum(DEFERMENT_CATEGORIES), validFrom: z.string(), validTo: z.string() }),
  ),
  /** Category-wide rules covering the person today (answered when sex and nationality are given). */
  rules: z.array(
    z.object({ ruleId: z.string(), version: z.number().int(), title: z.string(), basis: z.string(), authority: z.string(), status: ruleStatusSchema, applies: z.boolean(), detail: z.string() }),
  ),
  checkedAt: z.string(),
  howToContest: z.string(),
  /** The confirmed non-match the reference names, when it holds for the details given; null otherwise (and without a reference). */
  confirmedNonMatch: z.object({ reference: z.string(), checkpoint: z.string(), attestedAt: z.string(), detail: z.string() }).nullable(),
});
export type SelfCheckAnswer = z.infer<typeof selfCheckAnswer>;

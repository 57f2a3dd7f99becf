/**
 * POST /v1/screenings: what a checkpoint sends (an MRZ, or typed fields) and what the border replica
 * answers — the decision with every reason (list restrictions, category-wide rules, or why the
 * replica cannot vouch for its data), the freshness of its data, and the traveller as read. Also
 * GET /v1/screenings, the audited screenings. The border's server validates with these and the web
 * console's officer page reads its types from here.
 */
import { z } from 'zod';
import { RESTRICTION_KINDS } from '../domain/types.js';
import { decisionSchema } from './decision.js';
import { partialDate } from './fields.js';

const latinName = z
  .string()
  .max(100, 'must be at most 100 characters')
  .refine((s) => !/[\u0000-\u001f]/.test(s), 'must not contain control characters');

export const screeningRequestSchema = z
  .strictObject({
    mrz: z.string().max(300, 'must be at most 300 characters (three MRZ lines)').optional(),
    surname: latinName.optional(),
    givenNames: latinName.optional(),
    dateOfBirth: partialDate.optional(),
    documentNumber: z.string().regex(/^[A-Za-z0-9<]{1,20}$/, 'must be 1–20 letters or digits').optional(),
    nationality: z.string().regex(/^[A-Z<]{1,3}$/, 'must be a three-letter ICAO code such as RUS').optional(),
    sex: z.enum(['M', 'F', 'X'], { message: 'must be M, F or X (unspecified)' }).optional(),
    documentCountry: z.string().regex(/^[A-Z<]{1,3}$/, 'must be a three-letter ICAO code such as RUS').optional(),
  })
  .superRefine((r, ctx) => {
    const typed = ['surname', 'givenNames', 'dateOfBirth', 'documentNumber', 'nationality', 'documentCountry', 'sex'].filter(
      (k) => r[k as keyof typeof r] !== undefined,
    );
    if (r.mrz !== undefined && typed.length > 0) {
      ctx.addIssue({ code: 'custom', message: `give either mrz or typed fields, not both (also got ${typed.join(', ')})`, path: ['mrz'] });
    } else if (r.mrz === undefined && !r.documentNumber && !(r.surname && r.givenNames)) {
      ctx.addIssue({ code: 'custom', message: 'give mrz, or documentNumber, or surname and givenNames', path: ['surname'] });
    }
  });
export type ScreeningRequest = z.infer<typeof screeningRequestSchema>;

// ---- answers ----

/** What a listed restriction means for this crossing. */
export const listReasonStatusSchema = z.enum(['in-force', 'deferred', 'lifted', 'expired', 'not-yet-in-force', 'confirmed-non-match']);
export type ListReasonStatus = z.infer<typeof listReasonStatusSchema>;

/** One compared feature of a match, readable by an officer or an auditor (matching/types.ts Feature). */
export const featureSchema = z.object({ feature: z.string(), query: z.string(), candidate: z.string(), similarity: z.number(), detail: z.string() });
export type Feature = z.infer<typeof featureSchema>;

/** A restriction of a matched person, and why it counts or does not. */
export const listReasonSchema = z.object({
  source: z.literal('list'),
  restrictionId: z.string(),
  personId: z.string(),
  kind: z.enum(RESTRICTION_KINDS),
  basis: z.string(),
  office: z.string(),
  matchedOn: z.array(z.string()),
  score: z.number(),
  detail: z.string(),
  status: listReasonStatusSchema,
  expiresAt: z.string().optional(),
  inForceFrom: z.string(),
  liftedAt: z.string().optional(),
  features: z.array(featureSchema),
  /** S8: the confirmed non-match (border/decide.ts) that makes this restriction not count for this traveller. */
  attestation: z.object({ ref: z.string(), checkpoint: z.string(), attestedAt: z.string() }).optional(),
});
export type ListReason = z.infer<typeof listReasonSchema>;

/** How a category-wide rule bears on the traveller (border/ruleScreening.ts R1–R5). */
export const ruleStatusSchema = z.enum(['in-scope', 'scope-unclear', 'exempt', 'exemption-unconfirmed', 'deferment-not-listed']);
export type RuleStatus = z.infer<typeof ruleStatusSchema>;

export const ruleReasonSchema = z.object({
  source: z.literal('rule'),
  ruleId: z.string(),
  ruleVersion: z.number().int(),
  title: z.string(),
  basis: z.string(),
  authority: z.string(),
  status: ruleStatusSchema,
  detail: z.string(),
  /** One line per scope condition, as an officer would read it. */
  checks: z.array(z.object({ condition: z.string(), result: z.enum(['yes', 'no', 'unknown']), detail: z.string() })),
  /** The release (or the deferment that is not one) of the matched person, when it decided. */
  exemption: z
    .object({ personId: z.string(), kind: z.enum(['deferment', 'exemption']), category: z.string(), validFrom: z.string(), validTo: z.string(), score: z.number() })
    .optional(),
});
export type RuleReason = z.infer<typeof ruleReasonSchema>;

/** Why a clear became a refer: the replica cannot vouch for its data (S5). */
export const staleReasonSchema = z.object({
  kind: z.literal('replica-data-too-old'),
  detail: z.string(),
  lagSeconds: z.number().nullable(),
  maxStalenessSeconds: z.number(),
});
export type StaleReason = z.infer<typeof staleReasonSchema>;

/** Why every answer is a refer: the replica's database is damaged and being rebuilt (S7). */
export const damagedReasonSchema = z.object({ kind: z.literal('replica-database-damaged'), detail: z.string() });
export type DamagedReason = z.infer<typeof damagedReasonSchema>;

export const screeningReasonSchema = z.union([listReasonSchema, ruleReasonSchema, staleReasonSchema, damagedReasonSchema]);
export type ScreeningReason = z.infer<typeof screeningReasonSchema>;

/** The traveller as the replica read them (typed, or from the MRZ), in Latin script (matching/types.ts Traveller). */
export const travellerSchema = z.object({
  surname: z.string().optional(),
  givenNames: z.string().optional(),
  dateOfBirth: z.string().optional(),
  documentNumber: z.string().optional(),
  documentCountry: z.string().optional(),
  nationality: z.string().optional(),
  sex: z.string().optional(),
  nameTruncated: z.boolean().optional(),
});
export type TravellerAnswer = z.infer<typeof travellerSchema>;

/** How current the replica's data is: the freshness every answer carries. */
export const freshnessFields = {
  replicaSeq: z.number().int(),
  registerSeq: z.number().int(),
  dataAsOf: z.string().nullable(),
  lagSeconds: z.number().nullable(),
};

export const screeningAnswer = z.object({
  decision: decisionSchema,
  reasons: z.array(screeningReasonSchema),
  ...freshnessFields,
  /** The calendar date of the crossing in the checkpoint's time zone (ages and validity are judged on it). */
  crossingDate: z.string(),
  timeZone: z.string(),
  screeningId: z.string(),
  screenedAt: z.string(),
  traveller: travellerSchema,
});
export type ScreeningAnswer = z.infer<typeof screeningAnswer>;

/** GET /v1/screenings. */
export const screeningsQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(50) });

/** One audited screening: who asked, what they sent, what was answered. */
export const auditedScreeningSchema = z.object({
  screeningId: z.string(),
  at: z.string(),
  requester: z.string(),
  /** The traveller as read, as the audit recorded it. */
  request: travellerSchema,
  decision: z.string(),
  reasons: z.unknown(),
  replicaSeq: z.number().int(),
});
export type AuditedScreening = z.infer<typeof auditedScreeningSchema>;

export const screeningsAnswer = z.object({ screenings: z.array(auditedScreeningSchema) });

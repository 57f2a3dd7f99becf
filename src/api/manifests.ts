/**
 * Carrier manifests (issue #19): what a carrier sends to a border replica before departure, and the
 * answers it gets back — one per traveller, in the manifest's order, `board`, `check-at-border` or
 * `do-not-board`, and nothing about why (no restriction, basis, office, kind, score or person). The
 * border side's view of the same manifest (every traveller's full screening reasons) is a separate
 * answer for checkpoint, auditor and operator roles. The server validates with these, the OpenAPI
 * document describes them, and the web console's upload page reads its types from here.
 */
import { z } from 'zod';
import { decisionSchema } from './decision.js';
import { identifier, instant, partialDate, text } from './fields.js';
import { screeningReasonSchema } from './screening.js';

/** The most travellers one manifest may list (a wide-body flight or a long train); more is refused with 413. */
export const MAX_MANIFEST_TRAVELLERS = 1000;

const latinName = text(100);
const icaoCode = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ICAO code such as RUS');
/** An airport, station or stop: an IATA/UN-LOCODE style code or a short name. */
const place = text(64);

export const manifestTravellerSchema = z.strictObject({
  surname: latinName,
  givenNames: latinName,
  dateOfBirth: partialDate,
  sex: z.enum(['M', 'F', 'X'], { message: 'must be M, F or X (unspecified)' }).optional(),
  documentNumber: z.string().regex(/^[A-Za-z0-9]{1,20}$/, 'must be 1–20 letters or digits'),
  nationality: icaoCode,
  /** The issuing state of the document, when it is not the nationality. */
  documentCountry: icaoCode.optional(),
});
export type ManifestTraveller = z.infer<typeof manifestTravellerSchema>;

export const manifestRequestSchema = z.strictObject({
  carrier: identifier,
  /** The flight, train or coach number. */
  service: text(32),
  departureAt: instant,
  from: place,
  to: place,
  travellers: z
    .array(manifestTravellerSchema)
    .min(1, 'must list at least one traveller')
    .max(MAX_MANIFEST_TRAVELLERS, `must list at most ${MAX_MANIFEST_TRAVELLERS} travellers; split the manifest`),
});
export type ManifestRequest = z.infer<typeof manifestRequestSchema>;

/** What a carrier is told per traveller: whether to board them, never why. */
export const CARRIER_ANSWERS = ['board', 'check-at-border', 'do-not-board'] as const;
export const carrierAnswerSchema = z.enum(CARRIER_ANSWERS);
export type CarrierAnswer = z.infer<typeof carrierAnswerSchema>;

/** One traveller as the carrier sees it: what it sent (so rows can be matched up) and the answer. */
export const carrierTravellerSchema = z.object({
  position: z.number().int(),
  surname: z.string(),
  givenNames: z.string(),
  dateOfBirth: z.string(),
  documentNumber: z.string(),
  nationality: z.string(),
  answer: carrierAnswerSchema,
});
export type CarrierTraveller = z.infer<typeof carrierTravellerSchema>;

/** An answer that changed after the manifest was sent (a restriction imposed or lifted before departure). */
export const manifestChangeSchema = z.object({
  version: z.number().int(),
  position: z.number().int(),
  from: carrierAnswerSchema,
  to: carrierAnswerSchema,
  at: z.string(),
});
export type ManifestChange = z.infer<typeof manifestChangeSchema>;

/** What both views of a manifest begin with: which service it is and its current version. */
const manifestHeader = z.object({
  manifestId: z.string(),
  carrier: z.string(),
  service: z.string(),
  departureAt: z.string(),
  from: z.string(),
  to: z.string(),
  /** Increments whenever a traveller's answer changes; ask `?since=VERSION` for what changed after it. */
  version: z.number().int(),
});

/** POST /v1/manifests and GET /v1/manifests/{manifestId}: the carrier's view. */
export const manifestAnswer = manifestHeader.extend({
  /** False once the departure has passed: the answers are no longer kept current. */
  live: z.boolean(),
  travellers: z.array(carrierTravellerSchema),
  /** With `?since=VERSION`: the changes after that version, oldest first. */
  changes: z.array(manifestChangeSchema).optional(),
});
export type ManifestAnswer = z.infer<typeof manifestAnswer>;

export const manifestParams = z.object({ manifestId: z.string().regex(/^[A-Za-z0-9-]{1,64}$/, 'must be a manifest id as answered by POST /v1/manifests') });
export const manifestQuery = z.object({ since: z.coerce.number().int().min(0, 'must be a version number (0 or more)').optional() });

/** GET /v1/manifests/{manifestId}/reasons: the border's view of one traveller. */
export const borderManifestTravellerSchema = z.object({
  position: z.number().int(),
  traveller: manifestTravellerSchema,
  answer: carrierAnswerSchema,
  /** The screening as of now, audited under this id (the audit entry names the manifest and position). */
  screeningId: z.string(),
  decision: decisionSchema,
  /** The decision as of departure, when it differs from now's (a restriction starting or ending before departure). */
  decisionAtDeparture: decisionSchema,
  reasons: z.array(screeningReasonSchema),
});
export const borderManifestAnswer = manifestHeader.extend({
  receivedAt: z.string(),
  travellers: z.array(borderManifestTravellerSchema),
  changes: z.array(manifestChangeSchema),
});
export type BorderManifestAnswer = z.infer<typeof borderManifestAnswer>;

/** PUT /v1/carriers/webhook: where a carrier's changes are sent. */
export const webhookRequestSchema = z.strictObject({
  url: z
    .string()
    .max(2000, 'must be at most 2,000 characters')
    .url('must be an absolute http:// or https:// URL')
    .refine((u) => /^https?:\/\//i.test(u), 'must be an http:// or https:// URL'),
});
export const webhookAnswer = z.object({
  carrier: z.string(),
  url: z.string(),
  /** Shown once: the key of the HMAC-SHA256 signature on every delivery (docs/manifests.md). */
  secret: z.string(),
  signature: z.string(),
});

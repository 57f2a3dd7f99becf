/**
 * Outcomes of screenings, the reverse channel and confirmed non-matches over HTTP:
 *  - POST /v1/screenings/{screeningId}/outcome (border): what the officer records after a hit or refer;
 *  - POST /v1/outcomes (register, and a centre relaying): a replica's signed outcomes, acknowledged;
 *  - GET /v1/persons/{id}/outcomes (register): every hit on a person's restrictions and what came of it;
 *  - DELETE /v1/attestations/{ref} (register): the operator revokes a confirmed non-match.
 */
import { z } from 'zod';
import { OUTCOMES } from '../domain/outcomes.js';
import { text } from './fields.js';

export const outcomeRequestSchema = z
  .strictObject({
    outcome: z.enum(OUTCOMES, { message: `must be one of ${OUTCOMES.join(', ')}` }),
    note: text(1000).optional(),
  })
  .superRefine((r, ctx) => {
    if (r.outcome === 'released' && !r.note) ctx.addIssue({ code: 'custom', message: "give the supervisor's decision that released the traveller", path: ['note'] });
  });
export type OutcomeRequest = z.infer<typeof outcomeRequestSchema>;

export const screeningIdParams = z.strictObject({ screeningId: z.string().uuid('must be the screeningId of a screening answered here') });

const hitSchema = z.object({ personId: z.string(), restrictionId: z.string(), office: z.string() });

export const screeningOutcomeSchema = z.strictObject({
  replica: z.string().min(1).max(200),
  n: z.number().int().positive(),
  screeningId: z.string().max(100),
  screenedAt: z.string().max(40),
  decision: z.enum(['hit', 'refer']),
  checkpoint: z.string().max(200),
  outcome: z.enum(OUTCOMES),
  note: z.string().max(1000).optional(),
  recordedAt: z.string().max(40),
  hits: z.array(hitSchema).max(100),
  attestation: z
    .strictObject({ ref: z.string().max(40), personIds: z.array(z.string().max(100)).min(1).max(100), salt: z.string().max(64), detailsHash: z.string().regex(/^[0-9a-f]{64}$/) })
    .optional(),
});

export const signedOutcomeSchema = z.strictObject({ outcome: screeningOutcomeSchema, keyId: z.string().max(64), signature: z.string().max(200) });

const publicKeySchema = z.object({
  keyId: z.string(),
  publicKey: z.string(),
  createdAt: z.string(),
  retiresAt: z.string().nullable(),
  endorsedBy: z.string().optional(),
  endorsement: z.string().optional(),
});

/** A replica's report: its outcomes in order, with its published audit keys (a rotation is learned by endorsement). */
export const outcomesReportSchema = z.strictObject({
  keys: z.array(publicKeySchema).max(20).default([]),
  outcomes: z.array(signedOutcomeSchema).min(1, 'a report needs at least one outcome').max(500),
});

/** How far the register holds this replica's outcomes without a gap: the replica sends again what is beyond. */
export const outcomesAck = z.object({ replica: z.string(), acknowledged: z.number().int(), accepted: z.number().int() });

/** What the officer is answered: the outcome as recorded, and for a confirmed non-match the reference to hand over. */
export const outcomeAnswer = z.object({
  screeningId: z.string(),
  outcome: z.enum(OUTCOMES),
  note: z.string().optional(),
  recordedAt: z.string(),
  n: z.number().int(),
  reference: z.string().optional(),
  /** Words for the traveller, with the reference. */
  forTraveller: z.string().optional(),
});

/** One hit on a person's restrictions and what came of it, as the register holds it. */
export const personOutcomeSchema = z.object({
  replica: z.string(),
  n: z.number().int(),
  screeningId: z.string(),
  screenedAt: z.string(),
  decision: z.enum(['hit', 'refer']),
  checkpoint: z.string(),
  outcome: z.enum(OUTCOMES),
  note: z.string().optional(),
  recordedAt: z.string(),
  receivedAt: z.string(),
  restrictions: z.array(z.object({ restrictionId: z.string(), office: z.string() })),
  attestation: z.object({ ref: z.string(), revokedAt: z.string().optional() }).optional(),
});
export type PersonOutcome = z.infer<typeof personOutcomeSchema>;
export const personOutcomesAnswer = z.object({ personId: z.string(), outcomes: z.array(personOutcomeSchema) });

export const attestationRefParams = z.strictObject({ ref: z.string().regex(/^NM-\d{4}-[0-9A-Z]{10}$/, 'must be a reference such as NM-2026-7K3QX9M2AB') });
export const attestationRevokeAnswer = z.object({ ref: z.string(), revokedAt: z.string(), changes: z.array(z.number().int()) });

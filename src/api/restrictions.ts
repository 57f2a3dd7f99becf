/**
 * The register's restrictions over HTTP: issuing one, recording its service, lifting it, closing a
 * call-up campaign, the restriction embedded in a person, and the restriction the register answers
 * with. A delivery time and the pairs (servedAt, serviceChannel) and (liftedAt, liftReason) are
 * checked here, so every route and the import refuse the same inputs with the same words.
 */
import { z } from 'zod';
import { LIFT_REASONS, RESTRICTION_KINDS, SERVICE_CHANNELS } from '../domain/types.js';
import { identifier, instant, officeCode, text } from './fields.js';

export const restrictionFields = {
  restrictionId: identifier,
  kind: z.enum(RESTRICTION_KINDS),
  basis: text(500),
  office: officeCode,
  issuedAt: instant,
  expiresAt: instant.optional(),
  reviewAt: instant.optional(),
  campaign: identifier.optional(),
};

const serviceFields = {
  servedAt: instant,
  serviceChannel: z.enum(SERVICE_CHANNELS),
  deliveredAt: instant.optional(),
};

/** A delivery time belongs to the portal channel only, and cannot precede the posting. */
function deliveryFits(value: { servedAt?: string | undefined; serviceChannel?: string | undefined; deliveredAt?: string | undefined }, ctx: z.RefinementCtx) {
  if (value.deliveredAt === undefined) return;
  if (value.serviceChannel !== 'portal') ctx.addIssue({ code: 'custom', message: 'deliveredAt applies only to serviceChannel "portal"', path: ['deliveredAt'] });
  else if (value.servedAt && value.deliveredAt < value.servedAt) ctx.addIssue({ code: 'custom', message: 'deliveredAt is before servedAt (the posting)', path: ['deliveredAt'] });
}

const liftFields = {
  liftedAt: instant,
  liftReason: z.enum(LIFT_REASONS),
};

/** Both members of a pair are given or neither is. */
function together(a: string, b: string) {
  return (value: Record<string, unknown>, ctx: z.RefinementCtx) => {
    if ((value[a] === undefined) !== (value[b] === undefined)) {
      const missing = value[a] === undefined ? a : b;
      ctx.addIssue({ code: 'custom', message: `${missing} is required together with ${missing === a ? b : a}`, path: [missing] });
    }
  };
}

/** A restriction inside POST /v1/persons: issued, and perhaps already served or lifted. */
export const embeddedRestrictionSchema = z
  .object({
    ...restrictionFields,
    servedAt: serviceFields.servedAt.optional(),
    serviceChannel: serviceFields.serviceChannel.optional(),
    deliveredAt: serviceFields.deliveredAt,
    liftedAt: liftFields.liftedAt.optional(),
    liftReason: liftFields.liftReason.optional(),
  })
  .superRefine(together('servedAt', 'serviceChannel'))
  .superRefine(together('liftedAt', 'liftReason'))
  .superRefine(deliveryFits);

/** POST /v1/restrictions. */
export const issueSchema = z.object({ personId: identifier, ...restrictionFields });
export type IssueInput = z.infer<typeof issueSchema>;

/** POST /v1/restrictions/:id/service. */
export const serviceSchema = z.object(serviceFields).superRefine(deliveryFits);
/** POST /v1/restrictions/:id/lift. */
export const liftSchema = z.object(liftFields);
/** POST /v1/campaigns/:id/close: every open restriction of the campaign is lifted at once. */
export const closeCampaignSchema = z.object({ closedAt: liftFields.liftedAt, liftReason: liftFields.liftReason.default('cancellation') });

// ---- answers ----

/** A restriction as the register holds it (domain/types.ts Restriction). */
export const restrictionRecordSchema = z.object({
  restrictionId: z.string(),
  personId: z.string(),
  kind: z.enum(RESTRICTION_KINDS),
  basis: z.string(),
  office: z.string(),
  issuedAt: z.string(),
  servedAt: z.string().optional(),
  serviceChannel: z.enum(SERVICE_CHANNELS).optional(),
  deliveredAt: z.string().optional(),
  inForceFrom: z.string().optional(),
  expiresAt: z.string().optional(),
  reviewAt: z.string().optional(),
  campaign: z.string().optional(),
  liftedAt: z.string().optional(),
  liftReason: z.enum(LIFT_REASONS).optional(),
});
export type RestrictionRecord = z.infer<typeof restrictionRecordSchema>;

/**
 * POST /v1/restrictions (200, or 201 when created), …/service and …/lift: the restriction as it now is,
 * and the sequence numbers of the changes appended (none when nothing at the border changed).
 */
export const restrictionWriteAnswer = z.object({ restriction: restrictionRecordSchema, changes: z.array(z.number().int()) });
export type RestrictionWriteAnswer = z.infer<typeof restrictionWriteAnswer>;

/** POST /v1/campaigns/:id/close. */
export const campaignCloseAnswer = z.object({ campaign: z.string(), lifted: z.number().int(), alreadyLifted: z.number().int(), changes: z.array(z.number().int()) });

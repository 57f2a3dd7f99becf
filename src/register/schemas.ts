/**
 * The register's input shapes (../shared/CONTRACT.md), validated with zod. Each error names its field
 * as a dotted path, e.g. `restrictions.0.servedAt`.
 */
import { z } from 'zod';
import { parseInstant, parsePartialDate } from '../domain/dates.js';
import {
  DEFERMENT_CATEGORIES,
  LIFT_REASONS,
  RESTRICTION_KINDS,
  SERVICE_CHANNELS,
} from '../domain/types.js';

export const text = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !/[\u0000-\u001f\u007f]/.test(s), 'must not contain control characters');

/**
 * A personal name as the register holds it. A word that mixes Cyrillic and Latin letters is almost
 * always a look-alike character typed by mistake (Latin "a" in "Ивaнов") or smuggled in, and would
 * silently defeat matching, so it is refused.
 */
const personalName = (max: number) =>
  text(max).refine(
    (s) => !s.split(/[\s-]+/).some((w) => /\p{Script=Cyrillic}/u.test(w) && /\p{Script=Latin}/u.test(w)),
    'mixes Cyrillic and Latin letters in one word (a look-alike character?)',
  );

export const identifier = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:/-]{0,63}$/, 'must be 1–64 letters, digits or . _ : / - (starting with a letter or digit)');

/** An ISO instant with a time zone; normalised to UTC `...Z`. */
export const instant = z.string().transform((s, ctx) => {
  const parsed = parseInstant(s);
  if (typeof parsed === 'string') return parsed;
  ctx.addIssue({ code: 'custom', message: parsed.error });
  return z.NEVER;
});

const partialDate = z.string().superRefine((s, ctx) => {
  const parsed = parsePartialDate(s);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
});

export const calendarDate = z.string().superRefine((s, ctx) => {
  const parsed = parsePartialDate(s);
  if (typeof parsed === 'string') ctx.addIssue({ code: 'custom', message: parsed });
  else if (parsed.day === undefined) ctx.addIssue({ code: 'custom', message: `"${s}" must be a full date YYYY-MM-DD` });
});

export const countryCode = z.string().regex(/^[A-Z]{3}$/, 'must be a three-letter ICAO country code such as RUS');

export const documentSchema = z.object({
  type: text(32),
  number: z
    .string()
    .regex(/^[A-Z0-9]{1,20}$/i, 'must be 1–20 letters or digits')
    .transform((s) => s.toUpperCase()),
  country: countryCode,
});

export const officeCode = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{1,63}$/, 'must be an office code such as MO-Moscow-12');

/**
 * A deferment or exemption. `grantedBy` and `basis` are optional on input: an office's grant is made
 * in its own name (grantedBy defaults to the token's office) and must carry its basis; an operator's
 * may carry both, and without grantedBy it is granted by "the register" (register/authority.ts).
 */
export const defermentSchema = z
  .object({
    kind: z.enum(['deferment', 'exemption']).optional(),
    category: z.enum(DEFERMENT_CATEGORIES),
    validFrom: calendarDate,
    validTo: calendarDate,
    evidence: text(200).optional(),
    grantedBy: officeCode.optional(),
    basis: text(500).optional(),
  })
  .refine((d) => d.validFrom <= d.validTo, { message: 'validTo is before validFrom', path: ['validTo'] });

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

export const personSchema = z.object({
  personId: identifier,
  surname: personalName(100),
  givenNames: personalName(100),
  patronymic: personalName(100).optional(),
  dateOfBirth: partialDate,
  sex: z.enum(['M', 'F', 'X']).optional(),
  documents: z.array(documentSchema).max(20).default([]),
  restrictions: z.array(embeddedRestrictionSchema).max(100).default([]),
  deferments: z.array(defermentSchema).max(50).default([]),
});
export type PersonInput = z.infer<typeof personSchema>;

export const issueSchema = z.object({ personId: identifier, ...restrictionFields });
export type IssueInput = z.infer<typeof issueSchema>;

export const serviceSchema = z.object(serviceFields).superRefine(deliveryFits);
export const liftSchema = z.object(liftFields);


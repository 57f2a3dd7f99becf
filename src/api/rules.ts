/**
 * Category-wide rules over HTTP (domain/rules.ts): what an authority states when it issues, amends or
 * revokes a rule. The register adds the version and its instant.
 */
import { z } from 'zod';
import { DEFERMENT_CATEGORIES } from '../domain/types.js';
import { calendarDate, countryCode, identifier, instant, text } from './fields.js';

const age = z.number().int('must be a whole number of years').min(0, 'must be 0 or more').max(150, 'must be at most 150');

export const ruleScopeSchema = z
  .strictObject({
    nationalities: z.array(countryCode).min(1, 'must name at least one nationality').max(50),
    sex: z.enum(['M', 'F']).optional(),
    ageFrom: age,
    ageTo: age,
    documentCountries: z.array(countryCode).max(50).optional(),
  })
  .refine((s) => s.ageFrom <= s.ageTo, { message: 'ageTo is below ageFrom', path: ['ageTo'] });

/** What an authority states when it issues or amends a rule; the register adds the version and its instant. */
export const ruleFields = {
  title: text(200),
  scope: ruleScopeSchema,
  basis: text(500),
  authority: text(200),
  validFrom: calendarDate,
  validTo: calendarDate.optional(),
  exemptCategories: z.array(z.enum(DEFERMENT_CATEGORIES)).max(DEFERMENT_CATEGORIES.length).default([]),
  leapDayBirthday: z.enum(['feb-28', 'mar-1']).optional(),
};

const validityInOrder = (r: { validFrom: string; validTo?: string | undefined }) => r.validTo === undefined || r.validFrom <= r.validTo;

/** POST /v1/rules. */
export const issueRuleSchema = z
  .strictObject({ ruleId: identifier, ...ruleFields })
  .refine(validityInOrder, { message: 'validTo is before validFrom', path: ['validTo'] });
/** PUT /v1/rules/:id. */
export const amendRuleSchema = z.strictObject(ruleFields).refine(validityInOrder, { message: 'validTo is before validFrom', path: ['validTo'] });
/** POST /v1/rules/:id/revoke. */
export const revokeRuleSchema = z.strictObject({ revokedAt: instant });

export type IssueRuleInput = z.output<typeof issueRuleSchema>;
export type AmendRuleInput = z.output<typeof amendRuleSchema>;

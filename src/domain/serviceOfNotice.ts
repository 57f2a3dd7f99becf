/**
 * When a served restriction comes into force depends on how it was served. The rules are data:
 *
 *   in-person, post  in force at the recorded signature (servedAt);
 *   portal           in force at delivery (deliveredAt, when the person opened it), or N days after
 *                    it was posted (servedAt + N × 24 h), whichever comes first; N per kind, default 7.
 *
 * All instants are UTC; "N days" is N × 86,400 seconds, so leap days and clock changes in any local
 * time zone neither shorten nor stretch it.
 */
import { z } from 'zod';
import { RESTRICTION_KINDS, type Restriction, type RestrictionKind } from './types.js';

export const serviceRulesSchema = z.strictObject({
  portalDelayDays: z.partialRecord(z.enum(RESTRICTION_KINDS), z.number().min(0).max(365)).default({}),
  defaultPortalDelayDays: z.number().min(0).max(365).default(7),
});
export type ServiceRules = z.output<typeof serviceRulesSchema>;

export const DEFAULT_SERVICE_RULES: ServiceRules = serviceRulesSchema.parse({});

const DAY_MS = 86_400_000;

export function portalDelayDays(rules: ServiceRules, kind: RestrictionKind): number {
  return rules.portalDelayDays[kind] ?? rules.defaultPortalDelayDays;
}

/** The instant a served restriction comes into force, or undefined while it is not served. */
export function inForceFrom(r: Pick<Restriction, 'kind' | 'servedAt' | 'serviceChannel' | 'deliveredAt'>, rules: ServiceRules): string | undefined {
  if (!r.servedAt) return undefined;
  if (r.serviceChannel !== 'portal') return r.servedAt;
  const deemed = Date.parse(r.servedAt) + portalDelayDays(rules, r.kind) * DAY_MS;
  const delivered = r.deliveredAt ? Date.parse(r.deliveredAt) : Infinity;
  return new Date(Math.min(deemed, delivered)).toISOString();
}

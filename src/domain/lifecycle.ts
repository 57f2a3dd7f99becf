/**
 * A restriction's lifecycle, written down as a transition table so that the compiler refuses an
 * unspecified transition (see SPEC-style tables in docs/lifecycle.md).
 *
 *   issued ──serve──▶ served (in force from servedAt) ──lift──▶ lifted
 *      └──────────────────────lift───────────────────────────────▲
 *
 * Invariants:
 *  L1  a restriction is in force exactly from its servedAt until its liftedAt (exclusive);
 *  L2  service and lift happen at or after issue; lift happens at or after service;
 *  L3  a lifted restriction is never served or lifted again (terminal);
 *  L4  repeating a transition with the same values is a no-op (idempotent import and retries).
 */
import type { LiftReason, Restriction, ServiceChannel } from './types.js';

export type RestrictionState = 'issued' | 'served' | 'lifted';
export type RestrictionEvent = 'serve' | 'lift';

type Outcome = 'apply' | 'refuse';

export const TRANSITIONS: Record<RestrictionState, Record<RestrictionEvent, Outcome>> = {
  issued: { serve: 'apply', lift: 'apply' },
  served: { serve: 'refuse', lift: 'apply' },
  lifted: { serve: 'refuse', lift: 'refuse' },
};

export function stateOf(r: Restriction): RestrictionState {
  if (r.liftedAt) return 'lifted';
  if (r.servedAt) return 'served';
  return 'issued';
}

export class LifecycleError extends Error {
  constructor(
    message: string,
    readonly field: string,
  ) {
    super(message);
  }
}

/** L1, with the service rules' in-force instant (inForceFrom) and an expiry. */
export function isInForce(r: Pick<Restriction, 'servedAt' | 'inForceFrom' | 'liftedAt' | 'expiresAt'>, at: Date): boolean {
  const from = r.inForceFrom ?? r.servedAt;
  if (!from) return false;
  const t = at.getTime();
  if (Date.parse(from) > t) return false;
  if (r.expiresAt && Date.parse(r.expiresAt) <= t) return false;
  return !r.liftedAt || Date.parse(r.liftedAt) > t;
}

/** Returns the restriction after service, the same object when nothing changes, or throws a LifecycleError. */
export function serve(r: Restriction, servedAt: string, serviceChannel: ServiceChannel, deliveredAt?: string): Restriction {
  if (r.servedAt === servedAt && r.serviceChannel === serviceChannel && r.deliveredAt === deliveredAt && !r.liftedAt) return r;
  // A portal notice's delivery may be recorded after its posting: that is completing the service.
  if (r.servedAt === servedAt && r.serviceChannel === 'portal' && serviceChannel === 'portal' && !r.deliveredAt && deliveredAt && !r.liftedAt) {
    return { ...r, deliveredAt };
  }
  if (TRANSITIONS[stateOf(r)].serve === 'refuse') {
    throw new LifecycleError(
      `restriction ${r.restrictionId} is ${stateOf(r)} and cannot be served again`,
      'servedAt',
    );
  }
  if (Date.parse(servedAt) < Date.parse(r.issuedAt)) {
    throw new LifecycleError(`servedAt ${servedAt} is before issuedAt ${r.issuedAt}`, 'servedAt');
  }
  const served: Restriction = { ...r, servedAt, serviceChannel };
  if (deliveredAt) served.deliveredAt = deliveredAt;
  return served;
}

export function lift(r: Restriction, liftedAt: string, liftReason: LiftReason): Restriction {
  if (r.liftedAt === liftedAt && r.liftReason === liftReason) return r;
  if (TRANSITIONS[stateOf(r)].lift === 'refuse') {
    throw new LifecycleError(`restriction ${r.restrictionId} is already lifted (${r.liftedAt})`, 'liftedAt');
  }
  const floor = r.servedAt ?? r.issuedAt;
  if (Date.parse(liftedAt) < Date.parse(floor)) {
    throw new LifecycleError(`liftedAt ${liftedAt} is before ${r.servedAt ? 'servedAt' : 'issuedAt'} ${floor}`, 'liftedAt');
  }
  return { ...r, liftedAt, liftReason };
}

/**
 * Moves an existing restriction towards the state an import line describes. The import is idempotent:
 * a line may repeat what is known, or move it forward, but never back (L3).
 */
export function advance(existing: Restriction, wanted: Restriction): Restriction {
  for (const key of ['personId', 'kind', 'basis', 'office', 'issuedAt'] as const) {
    if (existing[key] !== wanted[key]) {
      throw new LifecycleError(
        `restriction ${existing.restrictionId} already exists with ${key} "${existing[key]}"`,
        key,
      );
    }
  }
  let next = existing;
  if (wanted.servedAt && wanted.serviceChannel) {
    if (!next.servedAt || next.servedAt !== wanted.servedAt || next.serviceChannel !== wanted.serviceChannel || next.deliveredAt !== wanted.deliveredAt) {
      next = serve(next, wanted.servedAt, wanted.serviceChannel, wanted.deliveredAt);
    }
  } else if (next.servedAt) {
    throw new LifecycleError(`restriction ${existing.restrictionId} is already served; service cannot be undone`, 'servedAt');
  }
  if (wanted.liftedAt && wanted.liftReason) next = lift(next, wanted.liftedAt, wanted.liftReason);
  else if (next.liftedAt) {
    throw new LifecycleError(`restriction ${existing.restrictionId} is already lifted; a lift cannot be undone`, 'liftedAt');
  }
  return next;
}

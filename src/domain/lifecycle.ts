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

export function isInForce(r: Pick<Restriction, 'servedAt' | 'liftedAt'>, at: Date): boolean {
  if (!r.servedAt) return false;
  const t = at.getTime();
  if (Date.parse(r.servedAt) > t) return false;
  return !r.liftedAt || Date.parse(r.liftedAt) > t;
}

/** Returns the restriction after service, the same object when nothing changes, or throws a LifecycleError. */
export function serve(r: Restriction, servedAt: string, serviceChannel: ServiceChannel): Restriction {
  if (r.servedAt === servedAt && r.serviceChannel === serviceChannel && !r.liftedAt) return r;
  if (TRANSITIONS[stateOf(r)].serve === 'refuse') {
    throw new LifecycleError(
      `restriction ${r.restrictionId} is ${stateOf(r)} and cannot be served again`,
      'servedAt',
    );
  }
  if (Date.parse(servedAt) < Date.parse(r.issuedAt)) {
    throw new LifecycleError(`servedAt ${servedAt} is before issuedAt ${r.issuedAt}`, 'servedAt');
  }
  return { ...r, servedAt, serviceChannel };
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
    if (!next.servedAt || next.servedAt !== wanted.servedAt || next.serviceChannel !== wanted.serviceChannel) {
      next = serve(next, wanted.servedAt, wanted.serviceChannel);
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

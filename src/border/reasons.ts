/**
 * Why a screening decided as it did. An officer, an auditor and the person screened all read these,
 * so each says in words what it found, and carries the facts it was judged on:
 *  - a list reason for every restriction of a person the traveller matched (whatever its status);
 *  - a rule reason for every category-wide rule that applied (ruleScreening.ts);
 *  - a stale reason when the replica cannot vouch that its data is recent (S5);
 *  - a damaged reason when the replica cannot read its data at all (S7).
 */
import type { Decision } from './decision.js';
import { RULE_DECISION, type RuleReason } from './ruleScreening.js';

// The reasons' shapes are the HTTP API's (src/api/screening.ts): declared once there, inferred from its schemas.
import type { DamagedReason, ListReason, ListReasonStatus, StaleReason } from '../api/screening.js';
export type { DamagedReason, ListReason, StaleReason };

/** What a restriction means for this crossing (S1, S2): only `in-force` counts. */
export type RestrictionStatus = ListReasonStatus;

export type ScreeningReason = ListReason | RuleReason | StaleReason | DamagedReason;

/** What a reason alone would make of the crossing: the reasons that decided are listed first. */
export function decisionOfReason(reason: ScreeningReason): Decision {
  if (!('source' in reason)) return 'refer';
  if (reason.source === 'rule') return RULE_DECISION[reason.status];
  return reason.status === 'in-force' ? 'hit' : 'clear';
}

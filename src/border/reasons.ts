/**
 * Why a screening decided as it did. An officer, an auditor and the person screened all read these,
 * so each says in words what it found, and carries the facts it was judged on:
 *  - a list reason for every restriction of a person the traveller matched (whatever its status);
 *  - a rule reason for every category-wide rule that applied (ruleScreening.ts);
 *  - a stale reason when the replica cannot vouch that its data is recent (S5);
 *  - a damaged reason when the replica cannot read its data at all (S7).
 */
import type { RestrictionKind } from '../domain/types.js';
import type { PersonMatch } from '../matching/index.js';
import type { Decision } from './decision.js';
import { RULE_DECISION, type RuleReason } from './ruleScreening.js';

/** What a restriction means for this crossing (S1, S2): only `in-force` counts. */
export type RestrictionStatus = 'in-force' | 'deferred' | 'lifted' | 'expired' | 'not-yet-in-force';

/** A restriction of a matched person, what matched, and what the restriction means for this crossing. */
export interface ListReason {
  source: 'list';
  restrictionId: string;
  personId: string;
  kind: RestrictionKind;
  basis: string;
  office: string;
  matchedOn: string[];
  /** The match score, rounded to three decimals (the list decision compares this rounded score). */
  score: number;
  detail: string;
  status: RestrictionStatus;
  expiresAt?: string;
  inForceFrom: string;
  liftedAt?: string;
  features: PersonMatch['features'];
}

/** Why a clear became a refer: the replica cannot vouch for its data (S5). */
export interface StaleReason {
  kind: 'replica-data-too-old';
  detail: string;
  lagSeconds: number | null;
  maxStalenessSeconds: number;
}

/** Why every answer is a refer: the replica's database is damaged and being rebuilt (S7). */
export interface DamagedReason {
  kind: 'replica-database-damaged';
  detail: string;
}

export type ScreeningReason = ListReason | RuleReason | StaleReason | DamagedReason;

/** What a reason alone would make of the crossing: the reasons that decided are listed first. */
export function decisionOfReason(reason: ScreeningReason): Decision {
  if (!('source' in reason)) return 'refer';
  if (reason.source === 'rule') return RULE_DECISION[reason.status];
  return reason.status === 'in-force' ? 'hit' : 'clear';
}

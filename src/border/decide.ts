/**
 * The screening decision as a pure function: from what the matcher found, the restrictions and the
 * relief (deferments, exemptions) of the matched persons, the category-wide rules and the replica's
 * freshness, to `clear`, `refer` or `hit` with every reason. No storage, clock or network, so that
 * each rule below is a table of rows in test/border/decide.test.ts; ScreeningService (screening.ts)
 * gathers the inputs, calls this, and audits the answer.
 *
 * Decision rules (in this order):
 *  S1  a restriction counts only while in force at the moment of screening (served, not lifted);
 *  S2  a call-up restriction of a person holding a deferment valid today does not count, and the
 *      deferment is given as the reason ("deferment student until 2025-06-30");
 *  S3  `hit` when a strong match (score ≥ hit threshold) has a counting restriction;
 *      `refer` when only a possible match (refer ≤ score < hit) has one; `clear` otherwise;
 *  S4  every decision, whatever it is, is written to the audit before it is answered (screening.ts,
 *      screeningAudit.ts);
 *  S5  a replica whose data is older than the staleness bound never answers `clear`: it answers
 *      `refer` with the reason "replica data too old" (it may have missed a ban; a lift it missed
 *      can only make it stricter, never laxer, so `hit` stands);
 *  S6  category-wide rules are screened beside the list (ruleScreening.ts R1–R5) on the crossing's
 *      calendar date in the checkpoint's time zone; the decision is the stricter of the two, and the
 *      reasons of both are given (list reasons carry `source: "list"`, rule reasons `source: "rule"`).
 *  S7  a replica whose database is damaged (replicaHealth.ts) answers `refer` to every traveller, with
 *      the reason, and without reading the damaged data: it can vouch for neither a clear nor a hit.
 *  S8  a confirmed non-match (exchange/attestation.ts) of a listed person for exactly these presented
 *      details (document number, country, date of birth, name as read) makes that person's restrictions
 *      not count for this traveller: "confirmed not the listed person (ref …, checkpoint, date)". It is
 *      ignored when the document number is one of the listed person's own documents (then the
 *      traveller may well be that person), and it never touches other listed persons or rules.
 *
 * Reasons are ordered for the officer: the ones that decided come first (a rule hit before a lifted
 * restriction, a list hit before an exemption), the stale reason before all.
 */
import { dateRangeCovers } from '../domain/dates.js';
import { isInForce } from '../domain/lifecycle.js';
import { type CategoryRule, localDate } from '../domain/rules.js';
import { attests, presentedDetailsOf } from '../exchange/attestation.js';
import type { BorderAttestation, BorderPerson, BorderRestriction } from '../exchange/protocol.js';
import type { PersonMatch, Traveller } from '../matching/index.js';
import { type Decision, stricter, strictestFirst } from './decision.js';
import { tooStaleToClear } from './freshness.js';
import { decisionOfReason, type DamagedReason, type ListReason, type RestrictionStatus, type ScreeningReason, type StaleReason } from './reasons.js';
import { RULE_DECISION, screenRules } from './ruleScreening.js';

/** Everything a decision is made from, read by the caller from the replica at one moment. */
export interface ScreeningEvidence {
  traveller: Traveller;
  /** What the matcher found (each person at most once). */
  matches: PersonMatch[];
  /** The restrictions of the matched persons, whatever their state; others are ignored. */
  restrictions: BorderRestriction[];
  /** The matched persons, for their deferments and exemptions (relief). */
  persons: ReadonlyMap<string, BorderPerson | undefined>;
  /** Confirmed non-matches of the matched persons (S8); which apply to this traveller is decided here. */
  attestations?: readonly BorderAttestation[];
  /** Every category-wide rule the replica holds; which are in force is decided here. */
  rules: CategoryRule[];
  /** The matcher's hit threshold: a weaker match with a counting restriction only refers. */
  hitThreshold: number;
  /** The moment of screening. */
  at: Date;
  /** The checkpoint's IANA time zone: ages and validity dates are judged on its calendar date (S6). */
  timeZone: string;
  /** The replica's lag (border/freshness.ts); null when unknown. */
  lagSeconds: number | null;
  /** Above this lag a `clear` becomes a `refer` (S5). */
  maxStalenessSeconds: number;
}

export interface Decided {
  decision: Decision;
  /** Those that decided first. */
  reasons: ScreeningReason[];
  /** The crossing's calendar date (`YYYY-MM-DD`) in the checkpoint's time zone. */
  crossingDate: string;
}

function validDeferment(person: BorderPerson | undefined, at: Date) {
  return person?.deferments.find((d) => dateRangeCovers(d.validFrom, d.validTo, at));
}

/** S1, S2: what a restriction means at `at` for its person, and the words that say so. */
export function restrictionStatus(r: BorderRestriction, person: BorderPerson | undefined, at: Date): { status: RestrictionStatus; note: string } {
  if (r.liftedAt && Date.parse(r.liftedAt) <= at.getTime()) {
    return { status: 'lifted', note: `lifted ${r.liftedAt}${r.liftReason ? ` (${r.liftReason})` : ''}` };
  }
  if (r.expiresAt && Date.parse(r.expiresAt) <= at.getTime()) return { status: 'expired', note: `expired ${r.expiresAt}` };
  if (!isInForce({ inForceFrom: r.inForceFrom, ...(r.liftedAt ? { liftedAt: r.liftedAt } : {}) }, at)) {
    return { status: 'not-yet-in-force', note: `comes into force ${r.inForceFrom}` };
  }
  const deferment = r.kind === 'call-up' ? validDeferment(person, at) : undefined;
  if (deferment) return { status: 'deferred', note: `${deferment.kind ?? 'deferment'} ${deferment.category} until ${deferment.validTo}` };
  return { status: 'in-force', note: `in force since ${r.inForceFrom}` };
}

const LIST_ORDER: Record<RestrictionStatus, number> = { 'in-force': 0, 'confirmed-non-match': 1, deferred: 2, 'not-yet-in-force': 3, expired: 4, lifted: 5 };

/**
 * S8: the confirmed non-match that clears this traveller of this listed person, or undefined — never
 * when the traveller's document is one of the person's own.
 */
export function attestationFor(evidence: Pick<ScreeningEvidence, 'traveller' | 'persons' | 'attestations'>, personId: string): BorderAttestation | undefined {
  const details = presentedDetailsOf(evidence.traveller);
  if (!details || !evidence.attestations?.length) return undefined;
  const number = details.documentNumber.toUpperCase();
  if (evidence.persons.get(personId)?.documents.some((d) => d.number.toUpperCase() === number)) return undefined;
  return evidence.attestations.find((a) => a.personIds.includes(personId) && attests(a, details));
}

/** One reason per restriction of a matched person: those in force first, then by score. */
export function listReasons(evidence: Pick<ScreeningEvidence, 'matches' | 'restrictions' | 'persons' | 'at' | 'traveller' | 'attestations'>): ListReason[] {
  const byPerson = new Map(evidence.matches.map((m) => [m.personId, m]));
  const attested = new Map(evidence.matches.map((m) => [m.personId, attestationFor(evidence, m.personId)]));
  const reasons: ListReason[] = [];
  for (const r of evidence.restrictions) {
    const match = byPerson.get(r.personId);
    if (!match) continue;
    const judged = restrictionStatus(r, evidence.persons.get(r.personId), evidence.at);
    const attestation = attested.get(r.personId);
    // Only what would count is cleared by S8: a lifted or deferred restriction keeps its own words.
    const { status, note } = attestation && judged.status === 'in-force'
      ? { status: 'confirmed-non-match' as const, note: `confirmed not the listed person (ref ${attestation.ref}, ${attestation.checkpoint}, ${attestation.attestedAt.slice(0, 10)})` }
      : judged;
    const reason: ListReason = {
      source: 'list',
      restrictionId: r.restrictionId,
      personId: r.personId,
      kind: r.kind,
      basis: r.basis,
      office: r.office,
      matchedOn: match.matchedOn,
      score: Math.round(match.score * 1000) / 1000,
      detail: `${match.detail}; ${note}`,
      status,
      inForceFrom: r.inForceFrom,
      features: match.features,
    };
    if (r.liftedAt) reason.liftedAt = r.liftedAt;
    if (r.expiresAt) reason.expiresAt = r.expiresAt;
    if (status === 'confirmed-non-match' && attestation) reason.attestation = { ref: attestation.ref, checkpoint: attestation.checkpoint, attestedAt: attestation.attestedAt };
    reasons.push(reason);
  }
  return reasons.sort((a, b) => LIST_ORDER[a.status] - LIST_ORDER[b.status] || b.score - a.score);
}

/** S3: hit on a strong match with a restriction in force, refer on a weaker one, clear otherwise. */
export function listDecision(reasons: ListReason[], hitThreshold: number): Decision {
  const counting = reasons.filter((r) => r.status === 'in-force');
  if (counting.some((r) => r.score >= hitThreshold)) return 'hit';
  return counting.length > 0 ? 'refer' : 'clear';
}

/** S5: the reason a `clear` becomes a `refer` on a replica too far behind, or null while it is fresh enough. */
export function staleReason(lagSeconds: number | null, maxStalenessSeconds: number): StaleReason | null {
  if (!tooStaleToClear(lagSeconds, maxStalenessSeconds)) return null;
  return {
    kind: 'replica-data-too-old',
    detail: `replica data too old: last in step with the register ${lagSeconds ?? '?'} s ago (bound ${maxStalenessSeconds} s); a ban issued since may be missing`,
    lagSeconds,
    maxStalenessSeconds,
  };
}

/** S1–S3, S5, S6, S8: the decision and its reasons. */
export function decide(evidence: ScreeningEvidence): Decided {
  const crossingDate = localDate(evidence.at, evidence.timeZone);
  const list = listReasons(evidence);
  const { rules, traveller, matches, persons, hitThreshold, at } = evidence;
  const ruleReasons = screenRules({ rules, traveller, matches, persons, hitThreshold, crossingDate, at });
  let decision = ruleReasons.map((r) => RULE_DECISION[r.status]).reduce(stricter, listDecision(list, hitThreshold));
  ruleReasons.sort((a, b) => strictestFirst(RULE_DECISION[a.status], RULE_DECISION[b.status]));
  const reasons: ScreeningReason[] = [...ruleReasons, ...list].sort((a, b) => strictestFirst(decisionOfReason(a), decisionOfReason(b)));
  const stale = decision === 'clear' ? staleReason(evidence.lagSeconds, evidence.maxStalenessSeconds) : null;
  if (stale) {
    decision = 'refer';
    reasons.unshift(stale);
  }
  return { decision, reasons, crossingDate };
}

/** S7: refer, saying why, from nothing the damaged database holds. */
export function decideDamaged(damage: string, at: Date, timeZone: string): Decided {
  const reason: DamagedReason = {
    kind: 'replica-database-damaged',
    detail: `this checkpoint's copy of the register is damaged and is being rebuilt, so it cannot screen anyone: check the traveller by hand or at another checkpoint (${damage})`,
  };
  return { decision: 'refer', reasons: [reason], crossingDate: localDate(at, timeZone) };
}

/**
 * Screening a traveller against the replica: match, look up restrictions, decide, audit.
 *
 * Decision rules (in this order):
 *  S1  a restriction counts only while in force at the moment of screening (served, not lifted);
 *  S2  a call-up restriction of a person holding a deferment valid today does not count, and the
 *      deferment is given as the reason ("deferment student until 2025-06-30");
 *  S3  `hit` when a strong match (score ≥ hit threshold) has a counting restriction;
 *      `refer` when only a possible match (refer ≤ score < hit) has one; `clear` otherwise;
 *  S4  every decision, whatever it is, is written to the audit before it is answered;
 *  S5  a replica whose data is older than the staleness bound never answers `clear`: it answers
 *      `refer` with the reason "replica data too old" (it may have missed a ban; a lift it missed
 *      can only make it stricter, never laxer, so `hit` stands);
 *  S6  category-wide rules are screened beside the list (ruleScreening.ts R1–R5) on the crossing's
 *      calendar date in the checkpoint's time zone; the decision is the stricter of the two, and the
 *      reasons of both are given (list reasons carry `source: "list"`, rule reasons `source: "rule"`).
 *  S7  a replica whose database is damaged (replicaHealth.ts) answers `refer` to every traveller, with
 *      the reason, and without reading the damaged data: it can vouch for neither a clear nor a hit.
 */
import type { Decision } from '../api/decision.js';
import { type DamagedReason, type ListReason, type ScreeningAnswer, type ScreeningRequest, screeningRequestSchema, type StaleReason } from '../api/screening.js';
import { dateRangeCovers } from '../domain/dates.js';
import { isInForce } from '../domain/lifecycle.js';
import type { BorderPerson, BorderRestriction } from '../exchange/protocol.js';
import type { Matcher, Traveller } from '../matching/index.js';
import { localDate } from '../domain/rules.js';
import { ErxError } from '../shared/errors.js';
import { parse } from '../shared/http.js';
import { parseMrz } from './mrz.js';
import { RULE_DECISION, type RuleReason, screenRules } from './ruleScreening.js';
import type { ReplicaStore } from './store.js';

export type { Decision } from '../api/decision.js';

export const DEFAULT_MAX_STALENESS_SECONDS = 900;

// The answer's shapes are the HTTP API's (src/api/screening.ts): declared once, inferred from its schemas.
export type { DamagedReason, StaleReason } from '../api/screening.js';
/** A restriction of a matched person, and what it means for this crossing. */
export type Reason = ListReason;

export interface Freshness {
  replicaSeq: number;
  registerSeq: number;
  dataAsOf: string | null;
  lagSeconds: number | null;
}

export type ScreeningResponse = ScreeningAnswer;

// The request's shape is the HTTP API's (src/api/screening.ts), re-exported under the names used here.
export { type ScreeningRequest, screeningRequestSchema } from '../api/screening.js';

export function travellerOf(request: ScreeningRequest): Traveller {
  if (request.mrz !== undefined) return parseMrz(request.mrz);
  const t: Traveller = {};
  if (request.surname) t.surname = request.surname;
  if (request.givenNames) t.givenNames = request.givenNames;
  if (request.dateOfBirth) t.dateOfBirth = request.dateOfBirth;
  if (request.documentNumber) t.documentNumber = request.documentNumber.toUpperCase();
  if (request.nationality) t.nationality = request.nationality;
  if (request.documentCountry) t.documentCountry = request.documentCountry;
  if (request.sex) t.sex = request.sex;
  return t;
}

function validDeferment(person: BorderPerson | undefined, at: Date) {
  return person?.deferments.find((d) => dateRangeCovers(d.validFrom, d.validTo, at));
}

function statusOf(r: BorderRestriction, person: BorderPerson | undefined, at: Date): { status: Reason['status']; note: string } {
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

/** What a reason alone would make of the crossing (for ordering the reasons). */
function decisionOf(r: Reason | RuleReason | StaleReason): Decision {
  if (!('source' in r)) return 'refer';
  if (r.source === 'rule') return RULE_DECISION[r.status];
  return r.status === 'in-force' ? 'hit' : 'clear';
}

export interface ScreeningDeps {
  store: ReplicaStore;
  matcher: Matcher;
  freshness: () => Promise<Freshness>;
  /** What is wrong with the replica's database, or null while it is sound (S7). */
  damage?: () => string | null;
  now?: () => Date;
  /** Above this lag a `clear` becomes a `refer` (S5). */
  maxStalenessSeconds?: number;
  /** The checkpoint's IANA time zone: ages and validity dates are judged on its calendar date (S6). */
  timeZone?: string;
}

/** The process's own zone (TZ, else the system's): a checkpoint's machine normally runs on local time. */
export const DEFAULT_TIME_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

export class ScreeningService {
  constructor(private readonly deps: ScreeningDeps) {}

  async screen(body: unknown, requester: string): Promise<ScreeningResponse> {
    const request = parse(screeningRequestSchema, body) as ScreeningRequest;
    const traveller = travellerOf(request);
    const damaged = this.deps.damage?.();
    if (damaged) return this.referDamaged(traveller, requester, damaged);
    try {
      return await this.decide(traveller, requester);
    } catch (err) {
      // The screening itself may be what meets the damage first: it is then answered like the ones after it.
      const found = this.deps.damage?.();
      if (found) return this.referDamaged(traveller, requester, found);
      throw err;
    }
  }

  /** S7: refer, saying why, from nothing the damaged database holds. */
  private async referDamaged(traveller: Traveller, requester: string, damage: string): Promise<ScreeningResponse> {
    const at = this.deps.now?.() ?? new Date();
    const timeZone = this.deps.timeZone ?? DEFAULT_TIME_ZONE;
    const freshness = await this.deps.freshness().catch((): Freshness => ({ replicaSeq: 0, registerSeq: 0, dataAsOf: null, lagSeconds: null }));
    const reason: DamagedReason = {
      kind: 'replica-database-damaged',
      detail: `this checkpoint's copy of the register is damaged and is being rebuilt, so it cannot screen anyone: check the traveller by hand or at another checkpoint (${damage})`,
    };
    const response: ScreeningResponse = {
      decision: 'refer',
      reasons: [reason],
      ...freshness,
      crossingDate: localDate(at, timeZone),
      timeZone,
      screeningId: crypto.randomUUID(),
      screenedAt: at.toISOString(),
      traveller,
    };
    await this.deps.store.recordScreening({ screeningId: response.screeningId, at: response.screenedAt, requester, request: traveller, decision: 'refer', reasons: [{ damaged: true }], replicaSeq: freshness.replicaSeq });
    return response;
  }

  private async decide(traveller: Traveller, requester: string): Promise<ScreeningResponse> {
    const { store, matcher } = this.deps;
    const freshness = await this.deps.freshness();
    if (freshness.dataAsOf === null) throw new ErxError(503, 'this replica has not finished its first bootstrap; try again shortly');
    const at = this.deps.now?.() ?? new Date();
    const matches = await matcher.match(traveller, store);
    const byPerson = new Map(matches.map((m) => [m.personId, m]));
    const restrictions = await store.restrictionsOf(matches.map((m) => m.personId));
    const persons = new Map<string, BorderPerson | undefined>();
    for (const m of matches) persons.set(m.personId, await store.getPerson(m.personId));

    const reasons: Reason[] = restrictions.map((r) => {
      const match = byPerson.get(r.personId)!;
      const { status, note } = statusOf(r, persons.get(r.personId), at);
      const reason: Reason = {
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
      return reason;
    });
    const counting = reasons.filter((r) => r.status === 'in-force');
    const listDecision: Decision = counting.some((r) => r.score >= matcher.thresholds.hit)
      ? 'hit'
      : counting.length > 0
        ? 'refer'
        : 'clear';
    const order: Record<Reason['status'], number> = { 'in-force': 0, deferred: 1, 'not-yet-in-force': 2, expired: 3, lifted: 4 };
    reasons.sort((a, b) => order[a.status] - order[b.status] || b.score - a.score);

    const timeZone = this.deps.timeZone ?? DEFAULT_TIME_ZONE;
    const crossingDate = localDate(at, timeZone);
    const ruleReasons = screenRules({ rules: await store.rules(), traveller, matches, persons, hitThreshold: matcher.thresholds.hit, crossingDate, at });
    const severity: Record<Decision, number> = { clear: 0, refer: 1, hit: 2 };
    let decision = ruleReasons.map((r) => RULE_DECISION[r.status]).reduce((a, b) => (severity[b] > severity[a] ? b : a), listDecision);
    ruleReasons.sort((a, b) => severity[RULE_DECISION[b.status]] - severity[RULE_DECISION[a.status]]);
    // The reasons that decided come first: a rule hit before a lifted restriction, a list hit before an exemption.
    const allReasons: (Reason | RuleReason | StaleReason)[] = [...ruleReasons, ...reasons].sort(
      (a, b) => severity[decisionOf(b)] - severity[decisionOf(a)],
    );
    const bound = this.deps.maxStalenessSeconds ?? DEFAULT_MAX_STALENESS_SECONDS;
    if (decision === 'clear' && (freshness.lagSeconds === null || freshness.lagSeconds > bound)) {
      decision = 'refer';
      allReasons.unshift({
        kind: 'replica-data-too-old',
        detail: `replica data too old: last in step with the register ${freshness.lagSeconds ?? '?'} s ago (bound ${bound} s); a ban issued since may be missing`,
        lagSeconds: freshness.lagSeconds,
        maxStalenessSeconds: bound,
      });
    }

    const response: ScreeningResponse = {
      decision,
      reasons: allReasons,
      ...freshness,
      crossingDate,
      timeZone,
      screeningId: crypto.randomUUID(),
      screenedAt: at.toISOString(),
      traveller,
    };
    await store.recordScreening({
      screeningId: response.screeningId,
      at: response.screenedAt,
      requester,
      request: traveller,
      decision,
      reasons: allReasons.map((r) =>
        'source' in r
          ? r.source === 'rule'
            ? { ruleId: r.ruleId, ruleVersion: r.ruleVersion, status: r.status, ...(r.exemption ? { personId: r.exemption.personId } : {}) }
            : { restrictionId: r.restrictionId, personId: r.personId, status: r.status, score: r.score }
          : { stale: true, lagSeconds: r.lagSeconds },
      ),
      replicaSeq: freshness.replicaSeq,
    });
    return response;
  }
}

/**
 * Screening against category-wide rules (domain/rules.ts), beside the list-based screening of
 * decide.ts (its rule S6 combines the two). A pure function of the rules, the traveller, the replica
 * persons the traveller matched and the crossing's local date, so every boundary can be tested without
 * a server.
 *
 * For each rule in force on the crossing date:
 *  R1  a traveller the matcher identifies strongly (score ≥ hit) as a person holding a deferment or
 *      exemption valid on the crossing date, of a category the rule exempts, is released: `exempt`.
 *      When the traveller presents a document, the identification must include it: with millions of
 *      holders, a namesake born on the same day is common (the rules benchmark found 5 % of men in
 *      scope cleared by someone else's exemption), and name + date of birth alone then only refers;
 *  R2  out of scope (any scope condition clearly not met): the rule does not apply;
 *  R3  for a traveller in (or possibly in) scope, an identification that is only possible
 *      (refer ≤ score < hit) with such a release cannot be confirmed by the machine:
 *      `exemption-unconfirmed` (refer);
 *  R4  a strongly identified person holding a valid deferment of a category the rule does not list is
 *      `deferment-not-listed` (refer): a person holding a valid deferment is never a machine `hit`;
 *  R5  in scope: `in-scope` (hit); scope unclear (sex unknown, a partial date of birth across an age
 *      boundary, nationality missing): `scope-unclear` (refer) — never a guess.
 */
import type { RuleReason, RuleStatus } from '../api/screening.js';
import { type CategoryRule, inScope, ruleInForce } from '../domain/rules.js';
import type { BorderPerson } from '../exchange/protocol.js';
import type { PersonMatch, Traveller } from '../matching/index.js';
import type { Decision } from './decision.js';

export type { RuleStatus } from '../api/screening.js';

/** How a rule bears on the traveller: the HTTP API's shape (src/api/screening.ts). */
export type { RuleReason } from '../api/screening.js';

export const RULE_DECISION: Record<RuleStatus, Decision> = {
  'in-scope': 'hit',
  'scope-unclear': 'refer',
  exempt: 'clear',
  'exemption-unconfirmed': 'refer',
  'deferment-not-listed': 'refer',
};

export interface RuleScreeningInput {
  rules: CategoryRule[];
  traveller: Traveller;
  matches: PersonMatch[];
  persons: ReadonlyMap<string, BorderPerson | undefined>;
  hitThreshold: number;
  /** `YYYY-MM-DD` in the checkpoint's time zone. */
  crossingDate: string;
  at: Date;
}

function validOn(person: BorderPerson | undefined, day: string) {
  return (person?.deferments ?? []).filter((d) => d.validFrom <= day && day <= d.validTo);
}

export function screenRules(input: RuleScreeningInput): RuleReason[] {
  const { traveller, crossingDate } = input;
  const facts = {
    crossingDate,
    ...(traveller.dateOfBirth ? { dateOfBirth: traveller.dateOfBirth } : {}),
    ...(traveller.sex ? { sex: traveller.sex } : {}),
    ...(traveller.nationality ? { nationality: traveller.nationality } : {}),
    ...(traveller.documentCountry ? { documentCountry: traveller.documentCountry } : {}),
  };
  const presented = traveller.documentNumber !== undefined;
  const confirmed = (m: PersonMatch) => m.score >= input.hitThreshold && (!presented || m.matchedOn.includes('documentNumber'));
  const held = input.matches.map((m) => ({ match: m, valid: validOn(input.persons.get(m.personId), crossingDate) }));
  const reasons: RuleReason[] = [];
  for (const rule of input.rules) {
    if (!ruleInForce(rule, crossingDate, input.at)) continue;
    const scope = inScope(rule, facts);
    const base = { source: 'rule' as const, ruleId: rule.ruleId, ruleVersion: rule.version, title: rule.title, basis: rule.basis, authority: rule.authority, checks: scope.checks };
    const ruleName = `rule ${rule.ruleId} v${rule.version}`;
    const releasing = (strong: boolean) => {
      for (const h of held) {
        if (strong !== confirmed(h.match)) continue;
        const d = h.valid.find((x) => rule.exemptCategories.includes(x.category));
        if (d) return { h, d };
      }
      return undefined;
    };
    const exemptionOf = (h: (typeof held)[number], d: BorderPerson['deferments'][number]) => ({
      personId: h.match.personId,
      kind: d.kind ?? ('deferment' as const),
      category: d.category,
      validFrom: d.validFrom,
      validTo: d.validTo,
      score: Math.round(h.match.score * 1000) / 1000,
    });
    const strong = releasing(true);
    if (strong) {
      reasons.push({ ...base, status: 'exempt', detail: `${strong.d.kind ?? 'deferment'} ${strong.d.category} until ${strong.d.validTo} releases from ${ruleName}`, exemption: exemptionOf(strong.h, strong.d) });
      continue;
    }
    if (scope.inScope === 'no') continue;
    const possible = releasing(false);
    if (possible) {
      reasons.push({
        ...base,
        status: 'exemption-unconfirmed',
        detail: `possibly ${possible.h.match.personId}, who holds ${possible.d.kind ?? 'deferment'} ${possible.d.category} until ${possible.d.validTo} releasing from ${ruleName}; identity not confirmed (score ${possible.h.match.score.toFixed(2)})`,
        exemption: exemptionOf(possible.h, possible.d),
      });
      continue;
    }
    const unlisted = held.find((h) => confirmed(h.match) && h.valid.length > 0);
    if (unlisted) {
      const d = unlisted.valid[0]!;
      reasons.push({
        ...base,
        status: 'deferment-not-listed',
        detail: `holds ${d.kind ?? 'deferment'} ${d.category} until ${d.validTo}, a category ${ruleName} does not list as exempt (${rule.exemptCategories.join(', ') || 'none'}); an officer decides`,
        exemption: exemptionOf(unlisted, d),
      });
      continue;
    }
    const unclear = scope.checks.filter((c) => c.result === 'unknown').map((c) => c.detail);
    reasons.push(
      scope.inScope === 'yes'
        ? { ...base, status: 'in-scope', detail: `in scope of ${ruleName}: ${scope.checks.map((c) => c.detail).join('; ')}` }
        : { ...base, status: 'scope-unclear', detail: `may be in scope of ${ruleName}: ${unclear.join('; ')}` },
    );
  }
  return reasons;
}

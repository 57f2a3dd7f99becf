/**
 * Issuing, amending and revoking category-wide rules. Each operation writes a new version of the rule,
 * appends its whole border view to the change log and records who did it in the audit trail, all in one
 * transaction (as for restrictions, see service.ts).
 */
import type { CategoryRule } from '../domain/rules.js';
import { sameValue as same } from '../shared/canonical.js';
import { Conflict, NotFound } from '../shared/errors.js';
import type { AmendRuleInput, IssueRuleInput } from './ruleSchemas.js';
import type { RegisterStore, RegisterTx } from './registerStore.js';

export interface RuleWrite {
  rule: CategoryRule;
  changes: number[];
}

/** The fields an authority states, without what the register adds (id, version, instants). */
function stated(r: CategoryRule | IssueRuleInput | AmendRuleInput) {
  const { title, scope, basis, authority, validFrom, validTo, exemptCategories, leapDayBirthday } = r as CategoryRule;
  return { title, scope, basis, authority, validFrom, validTo, exemptCategories: [...exemptCategories].sort(), leapDayBirthday };
}

function ruleOf(ruleId: string, version: number, input: IssueRuleInput | AmendRuleInput, at: string): CategoryRule {
  const rule: CategoryRule = {
    ruleId,
    version,
    title: input.title,
    scope: { ...input.scope },
    basis: input.basis,
    authority: input.authority,
    validFrom: input.validFrom,
    exemptCategories: [...new Set(input.exemptCategories)].sort(),
    versionAt: at,
  };
  if (input.validTo) rule.validTo = input.validTo;
  if (input.leapDayBirthday) rule.leapDayBirthday = input.leapDayBirthday;
  if (!rule.scope.sex) delete rule.scope.sex;
  if (!rule.scope.documentCountries?.length) delete rule.scope.documentCountries;
  return rule;
}

export class RuleService {
  constructor(
    private readonly store: RegisterStore,
    private readonly now: () => Date = () => new Date(),
  ) {}

  private async write(tx: RegisterTx, rule: CategoryRule, actor: string, action: string, detail: object): Promise<RuleWrite> {
    await tx.putRule(rule);
    const seq = await tx.appendChange('rule', rule.ruleId, rule);
    await tx.audit({ actor, action, subject: rule.ruleId, detail: { ...detail, version: rule.version, changes: [seq] } });
    return { rule, changes: [seq] };
  }

  /** Issues version 1; issuing the same rule again is a no-op, issuing another under the same id a conflict. */
  issue(input: IssueRuleInput, actor = 'system'): Promise<RuleWrite & { created: boolean }> {
    return this.store.transaction(async (tx) => {
      const existing = await tx.getRule(input.ruleId);
      if (existing) {
        if (existing.version === 1 && same(stated(existing), stated(input))) return { rule: existing, changes: [], created: false };
        throw new Conflict(`rule ${input.ruleId} already exists (version ${existing.version}); amend it with PUT /v1/rules/${input.ruleId}`, 'ruleId');
      }
      const rule = ruleOf(input.ruleId, 1, input, this.now().toISOString());
      return { ...(await this.write(tx, rule, actor, 'rule.issue', { input })), created: true };
    });
  }

  amend(ruleId: string, input: AmendRuleInput, actor = 'system'): Promise<RuleWrite> {
    return this.store.transaction(async (tx) => {
      const existing = await tx.getRule(ruleId);
      if (!existing) throw new NotFound(`rule ${ruleId} is not in the register`, 'id');
      if (existing.revokedAt) throw new Conflict(`rule ${ruleId} was revoked at ${existing.revokedAt}; issue a new rule instead`, 'id');
      if (same(stated(existing), stated(input))) return { rule: existing, changes: [] };
      const rule = ruleOf(ruleId, existing.version + 1, input, this.now().toISOString());
      return this.write(tx, rule, actor, 'rule.amend', { input });
    });
  }

  revoke(ruleId: string, revokedAt: string, actor = 'system'): Promise<RuleWrite> {
    return this.store.transaction(async (tx) => {
      const existing = await tx.getRule(ruleId);
      if (!existing) throw new NotFound(`rule ${ruleId} is not in the register`, 'id');
      if (existing.revokedAt) {
        if (existing.revokedAt === revokedAt) return { rule: existing, changes: [] };
        throw new Conflict(`rule ${ruleId} was already revoked at ${existing.revokedAt}`, 'revokedAt');
      }
      const rule: CategoryRule = { ...existing, version: existing.version + 1, versionAt: this.now().toISOString(), revokedAt };
      return this.write(tx, rule, actor, 'rule.revoke', { revokedAt });
    });
  }
}

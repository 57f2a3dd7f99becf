/**
 * Input shapes of category-wide rules (domain/rules.ts), declared once in src/api/rules.ts with the rest
 * of the HTTP API's schemas; re-exported here under the names the register's code imports.
 */
export { type AmendRuleInput, amendRuleSchema, type IssueRuleInput, issueRuleSchema, revokeRuleSchema, ruleFields, ruleScopeSchema } from '../api/rules.js';

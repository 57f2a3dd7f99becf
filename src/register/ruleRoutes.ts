/** HTTP routes of category-wide rules: issue, amend, revoke, read (with every version). */
import type { FastifyInstance } from 'fastify';
import { idParam } from '../api/fields.js';
import type { Principal } from '../auth/roles.js';
import { NotFound } from '../shared/errors.js';
import { type AuthGate, route } from '../auth/route.js';
import { amendRuleSchema, issueRuleSchema, revokeRuleSchema } from './ruleSchemas.js';
import type { RuleService } from './categoryRuleService.js';
import type { RegisterStore } from './registerStore.js';

export function registerRuleRoutes(app: FastifyInstance, gate: AuthGate, store: RegisterStore, rules: RuleService, actorOf: (p: Principal | null) => string): void {
  const tags = ['rules'];
  // A category-wide ban is national law, not one office's notice: only an operator enters it.
  const writers = ['operator'] as const;
  const readers = ['operator', 'office', 'auditor', 'border'] as const;

  route(app, gate, { method: 'POST', url: '/v1/rules', summary: 'Issue a category-wide rule (version 1)', tags, access: writers, body: issueRuleSchema }, async ({ body, principal, reply }) => {
    const result = await rules.issue(body, actorOf(principal));
    return reply.status(result.created ? 201 : 200).send({ rule: result.rule, changes: result.changes });
  });

  route(app, gate, { method: 'PUT', url: '/v1/rules/:id', summary: 'Amend a rule: a new version replaces the current one', tags, access: writers, params: idParam, body: amendRuleSchema }, async ({ params, body, principal }) =>
    rules.amend(params.id, body, actorOf(principal)),
  );

  route(app, gate, { method: 'POST', url: '/v1/rules/:id/revoke', summary: 'Revoke a rule (relief: reaches checkpoints first)', tags, access: writers, params: idParam, body: revokeRuleSchema }, async ({ params, body, principal }) =>
    rules.revoke(params.id, body.revokedAt, actorOf(principal)),
  );

  route(app, gate, { method: 'GET', url: '/v1/rules', summary: 'Every rule, current versions (revoked ones included)', tags, access: readers }, async () => ({ rules: await store.rules() }));

  route(app, gate, { method: 'GET', url: '/v1/rules/:id', summary: 'A rule with all its versions', tags, access: readers, params: idParam }, async ({ params }) => {
    const rule = await store.getRule(params.id);
    if (!rule) throw new NotFound(`rule ${params.id} is not in the register`, 'id');
    return { ...rule, versions: await store.ruleVersions(params.id) };
  });
}

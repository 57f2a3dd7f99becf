/** The register's HTTP API (CONTRACT.md), each route with its schemas and the roles it admits. */
import type { FastifyInstance } from 'fastify';
import type { z } from 'zod';
import { idParam } from '../api/fields.js';
import { importAnswer, importBody, type ImportItemResult } from '../api/personImport.js';
import { personSearchAnswer, personWithRestrictionsSchema, personWriteAnswer, personSearchQuery } from '../api/persons.js';
import { campaignCloseAnswer, closeCampaignSchema, restrictionRecordSchema, restrictionWriteAnswer } from '../api/restrictions.js';
import { registerStatusAnswer } from '../api/status.js';
import type { Principal } from '../auth/roles.js';
import { ErxError, NotFound } from '../shared/errors.js';
import { type AuthGate, route } from '../auth/route.js';
import { registerRuleRoutes } from './ruleRoutes.js';
import { registerOfficeRoutes } from './officeRoutes.js';
import { OfficeService } from './officeService.js';
import { RuleService } from './categoryRuleService.js';
import type { Actor } from './authority.js';
import { issueSchema, liftSchema, personSchema, serviceSchema } from './schemas.js';
import { firstError } from '../shared/fieldError.js';
import { rankSearch, SEARCH_CANDIDATES, searchPlan } from './search.js';
import type { RegisterService } from './registerService.js';

export { type ImportItemResult, MAX_IMPORT_BATCH } from '../api/personImport.js';
/** One person, with up to 100 restrictions and 50 deferments at their longest (escaped Unicode included). */
export const PERSON_BODY_LIMIT = 512 * 1024;
/** A batch of persons: 8 KiB each at MAX_IMPORT_BATCH (the console sends ≤ 4 M characters per batch). */
export const IMPORT_BODY_LIMIT = 16 * 1024 * 1024;

/** Who did it, for the audit trail. */
const actorOf = (p: Principal | null) => (p ? `${p.role}:${p.sub}${p.office ? `@${p.office}` : ''}` : 'anonymous (auth off)');

/** Who writes a person, for the authority rules (authority.ts): an office token is held to its office. */
function writerOf(p: Principal | null): Actor {
  if (p?.role !== 'office') return { name: actorOf(p) };
  if (!p.office) throw new ErxError(403, 'this office token names no office; issue one with --office OFFICE');
  return { name: actorOf(p), office: p.office };
}

/** An office writes only its own office's restrictions. */
function mayWriteFor(principal: Principal | null, office: string, field: string): void {
  if (principal?.role === 'office' && principal.office !== office) {
    throw new ErxError(403, `office ${principal.office} may not write restrictions of office ${office}`, field);
  }
}

export function registerRegisterRoutes(app: FastifyInstance, gate: AuthGate, service: RegisterService): void {
  const store = service.store;
  const tags = ['register'];

  route(app, gate, { method: 'POST', url: '/v1/persons', summary: 'Create or update a person (with restrictions and deferments)', tags, access: ['office', 'operator'], body: personSchema, response: personWriteAnswer, bodyLimit: PERSON_BODY_LIMIT }, async ({ body, principal }) => {
    body.restrictions.forEach((r, i) => mayWriteFor(principal, r.office, `restrictions.${i}.office`));
    const result = await service.upsertPerson(body, writerOf(principal));
    return { personId: body.personId, changes: result.changes };
  });

  route(
    app,
    gate,
    {
      method: 'GET',
      url: '/v1/persons',
      summary: 'Find persons by name (either script), document number or person id',
      tags,
      access: ['office', 'operator', 'auditor'],
      query: personSearchQuery,
      response: personSearchAnswer,
    },
    async ({ query }) => {
      const exact = await store.getPerson(query.q);
      const candidates = await store.searchPersons(searchPlan(query.q).keys, SEARCH_CANDIDATES);
      const found = rankSearch(exact ? [exact, ...candidates.filter((p) => p.personId !== exact.personId)] : candidates, query.q, query.limit);
      const persons = [];
      for (const p of found) {
        const { deferments: _d, sex: _s, ...shown } = p;
        persons.push({ ...shown, restrictions: (await store.restrictionsOf(p.personId)).length });
      }
      return { persons };
    },
  );

  route(app, gate, { method: 'GET', url: '/v1/persons/:id', summary: 'A person with all their restrictions', tags, access: ['office', 'operator', 'auditor'], params: idParam, response: personWithRestrictionsSchema }, async ({ params }) => {
    const person = await store.getPerson(params.id);
    if (!person) throw new NotFound(`person ${params.id} is not in the register`, 'id');
    return { ...person, restrictions: await store.restrictionsOf(params.id) };
  });

  route(app, gate, { method: 'POST', url: '/v1/restrictions', summary: 'Issue a restriction', tags, access: ['office', 'operator'], body: issueSchema }, async ({ body, principal, reply }) => {
    mayWriteFor(principal, body.office, 'office');
    const result = await service.issue(body, actorOf(principal));
    return reply.status(result.created ? 201 : 200).send({ restriction: await store.getRestriction(body.restrictionId), changes: result.changes });
  });

  route(app, gate, { method: 'GET', url: '/v1/restrictions/:id', summary: 'One restriction', tags, access: ['office', 'operator', 'auditor'], params: idParam, response: restrictionRecordSchema }, async ({ params }) => {
    const restriction = await store.getRestriction(params.id);
    if (!restriction) throw new NotFound(`restriction ${params.id} is not in the register`, 'id');
    return restriction;
  });

  const ownRestriction = async (id: string, principal: Principal | null) => {
    const r = await store.getRestriction(id);
    if (r) mayWriteFor(principal, r.office, 'id');
  };

  route(app, gate, { method: 'POST', url: '/v1/restrictions/:id/service', summary: 'Record service of a restriction', tags, access: ['office', 'operator'], params: idParam, body: serviceSchema, response: restrictionWriteAnswer }, async ({ params, body, principal }) => {
    await ownRestriction(params.id, principal);
    return service.recordService(params.id, body.servedAt, body.serviceChannel, actorOf(principal), body.deliveredAt);
  });

  route(
    app,
    gate,
    {
      method: 'POST',
      url: '/v1/campaigns/:id/close',
      summary: 'Close a call-up campaign: lift all its open restrictions at once',
      tags,
      access: ['office', 'operator'],
      params: idParam,
      body: closeCampaignSchema,
      response: campaignCloseAnswer,
    },
    async ({ params, body, principal }) => service.closeCampaign(params.id, body.closedAt, body.liftReason, actorOf(principal), (r) => mayWriteFor(principal, r.office, 'id')),
  );

  route(app, gate, { method: 'POST', url: '/v1/restrictions/:id/lift', summary: 'Lift a restriction', tags, access: ['office', 'operator'], params: idParam, body: liftSchema, response: restrictionWriteAnswer }, async ({ params, body, principal }) => {
    await ownRestriction(params.id, principal);
    return service.lift(params.id, body.liftedAt, body.liftReason, actorOf(principal));
  });

  route(
    app,
    gate,
    { method: 'POST', url: '/v1/import', summary: 'Bulk load persons (one result per person, in order)', tags, access: ['operator'], body: importBody, response: importAnswer, bodyLimit: IMPORT_BODY_LIMIT },
    async ({ body, principal }) => {
      const results: ImportItemResult[] = new Array(body.persons.length);
      const valid: { index: number; input: z.output<typeof personSchema> }[] = [];
      body.persons.forEach((raw, index) => {
        const parsed = personSchema.safeParse(raw);
        if (parsed.success) valid.push({ index, input: parsed.data });
        else results[index] = { ok: false, ...firstError(parsed.error) };
      });
      const written = valid.length > 0 ? await service.upsertPersons(valid.map((v) => v.input), writerOf(principal)) : [];
      written.forEach((outcome, i) => {
        results[valid[i]!.index] =
          outcome instanceof ErxError
            ? { ok: false, error: outcome.message, ...(outcome.field ? { field: outcome.field } : {}) }
            : { ok: true, changes: outcome.changes.length };
      });
      return { results };
    },
  );

  route(
    app,
    gate,
    { method: 'GET', url: '/v1/register/authority', summary: 'The grant table in force: which office may grant which deferments, relieving whose call-ups', tags, access: ['office', 'operator', 'auditor'] },
    async () => service.grants,
  );

  registerRuleRoutes(app, gate, store, new RuleService(store), actorOf);
  registerOfficeRoutes(app, gate, store, new OfficeService(store), actorOf);

  route(app, gate, { method: 'GET', url: '/v1/register/status', summary: "The register's newest sequence number and clock", tags, access: 'public', response: registerStatusAnswer }, async () => ({
    registerSeq: await store.headSeq(),
    oldestSeq: await store.oldestSeq(),
    time: new Date().toISOString(),
  }));
}

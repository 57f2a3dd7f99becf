/**
 * HTTP routes of issuing offices: read every record, read one, and create or replace one.
 *
 * Who may write an office's record: an operator, or the office itself (an `office` token naming that
 * office). Contact details are the office's own statement and change when it moves or gets a new
 * number, so it keeps them current without waiting for an operator; an office gains no power over
 * anyone else's record by this (a token of another office is refused, 403), and it could already lift
 * its own restrictions, which weighs more than its telephone number. Every write is audited.
 */
import type { FastifyInstance } from 'fastify';
import { officeBodySchema, officeParam, officeSchema, officesAnswer, officeWriteAnswer } from '../api/offices.js';
import type { Principal } from '../auth/roles.js';
import { type AuthGate, route } from '../auth/route.js';
import { ErxError, NotFound } from '../shared/errors.js';
import type { OfficeService } from './officeService.js';
import type { RegisterStore } from './registerStore.js';

/** An office token writes its own office's record only. */
function mayWriteOffice(principal: Principal | null, office: string): void {
  if (principal?.role !== 'office') return;
  if (!principal.office) throw new ErxError(403, 'this office token names no office; issue one with --office OFFICE');
  if (principal.office !== office) throw new ErxError(403, `office ${principal.office} may not change the record of office ${office}`, 'office');
}

export function registerOfficeRoutes(app: FastifyInstance, gate: AuthGate, store: RegisterStore, offices: OfficeService, actorOf: (p: Principal | null) => string): void {
  const tags = ['offices'];
  const readers = ['operator', 'office', 'auditor', 'border'] as const;

  route(app, gate, { method: 'GET', url: '/v1/offices', summary: "Every issuing office's record (contact details, how to contest)", tags, access: readers, response: officesAnswer }, async () => ({
    offices: await store.offices(),
  }));

  route(app, gate, { method: 'GET', url: '/v1/offices/:office', summary: "An issuing office's record", tags, access: readers, params: officeParam, response: officeSchema }, async ({ params }) => {
    const office = await store.getOffice(params.office);
    if (!office) throw new NotFound(`office ${params.office} has no record in the register`, 'office');
    return office;
  });

  route(
    app,
    gate,
    {
      method: 'PUT',
      url: '/v1/offices/:office',
      summary: "Create or replace an issuing office's record (operator, or the office itself); it reaches every replica",
      tags,
      access: ['operator', 'office'],
      params: officeParam,
      body: officeBodySchema,
      response: officeWriteAnswer,
    },
    async ({ params, body, principal, reply }) => {
      mayWriteOffice(principal, params.office);
      const result = await offices.put(params.office, body, actorOf(principal));
      return reply.status(result.created ? 201 : 200).send({ office: result.office, changes: result.changes });
    },
  );
}
